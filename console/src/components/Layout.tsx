import { NavLink, Outlet } from 'react-router';
import { LANGUAGES, useI18n, type Language } from '../i18n/i18n';
import { can } from '../lib/permissions';
import { useSession, useUser } from '../lib/session';

export function LanguagePicker() {
  const { language, setLanguage, t } = useI18n();
  return (
    <label className="language">
      {t('nav.language')}{' '}
      <select value={language} onChange={(event) => setLanguage(event.target.value as Language)}>
        {Object.entries(LANGUAGES).map(([code, name]) => (
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The signed-in frame: navigation, language, who is signed in, sign out. */
export function Layout() {
  const { t } = useI18n();
  const user = useUser();
  const { signOut } = useSession();
  return (
    <>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="top">
        <span className="brand">{t('app.name')}</span>
        <nav aria-label={t('nav.main')}>
          <NavLink to="/feature-flags">{t('nav.flags')}</NavLink>
          <NavLink to="/beta-monitor">{t('nav.monitor')}</NavLink>
          {can(user.role, 'users.manage') && <NavLink to="/users">{t('nav.users')}</NavLink>}
          {can(user.role, 'tokens.manage') && <NavLink to="/service-tokens">{t('nav.tokens')}</NavLink>}
        </nav>
        <div className="session">
          <LanguagePicker />
          <span>{t('nav.signedInAs', { email: user.email, role: t(`role.${user.role}`) })}</span>
          <button type="button" onClick={() => signOut('signedOut')}>
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <main id="main">
        <Outlet />
      </main>
    </>
  );
}
