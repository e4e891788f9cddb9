import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { describeError } from '../components/Notice';
import { LanguagePicker } from '../components/Layout';
import { useI18n } from '../i18n/i18n';
import { useSession } from '../lib/session';

/** The 401 codes the sign-in page explains in its own words; any other says the session ended. */
const EXPIRED_MESSAGES = {
  TOKEN_EXPIRED: 'signIn.expired.TOKEN_EXPIRED',
  TOKEN_SIGNATURE_INVALID: 'signIn.expired.TOKEN_SIGNATURE_INVALID',
  USER_REMOVED: 'signIn.expired.USER_REMOVED',
  USER_CHANGED: 'signIn.expired.USER_CHANGED',
} as const;

function expiredMessage(code: string | null) {
  return code !== null && code in EXPIRED_MESSAGES
    ? EXPIRED_MESSAGES[code as keyof typeof EXPIRED_MESSAGES]
    : 'signIn.expired';
}

export function SignInPage() {
  const { t } = useI18n();
  const { signIn, reason, reasonCode } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
    } catch (caught) {
      const status = caught instanceof ApiError ? caught.status : 0;
      setError(status === 401 ? t('signIn.failed') : status === 429 ? t('signIn.throttled') : describeError(t, caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <div className="row end">
        <LanguagePicker />
      </div>
      <h1>{t('signIn.title')}</h1>
      {reason === 'expired' && (
        <p role="alert" className="notice notice-error">
          {t(expiredMessage(reasonCode))}
        </p>
      )}
      {reason === 'signedOut' && (
        <p role="status" className="notice notice-ok">
          {t('signIn.signedOut')}
        </p>
      )}
      <form onSubmit={(event) => void submit(event)} className="stack">
        <label>
          {t('signIn.email')}
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </label>
        <label>
          {t('signIn.password')}
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {error !== null && (
          <p role="alert" className="notice notice-error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {t('signIn.submit')}
        </button>
      </form>
      <p className="muted">{t('signIn.firstRun')}</p>
    </main>
  );
}
