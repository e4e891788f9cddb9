import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { ConfirmButton } from '../components/ConfirmButton';
import { CopyButton } from '../components/CopyButton';
import { describeError, LoadError, Notice, type NoticeValue } from '../components/Notice';
import { Time } from '../components/Time';
import { useI18n } from '../i18n/i18n';
import { useLoad } from '../lib/use-load';

type Permission = 'flags:evaluate' | 'telemetry:write';
type Purpose = 'evaluate' | 'telemetry' | 'both';
/** What a new token may do: evaluate flags, send telemetry (the monitored service), or both. */
const PURPOSES: Record<Purpose, Permission[]> = {
  evaluate: ['flags:evaluate'],
  telemetry: ['telemetry:write'],
  both: ['flags:evaluate', 'telemetry:write'],
};

/** SUPER_ADMIN: service tokens; a new token's secret is shown once, with a copy button. */
export function ServiceTokensPage() {
  const { t } = useI18n();
  const tokens = useLoad(async () => unwrap(await api.GET('/api/admin/service-tokens')).items, []);
  const [name, setName] = useState('');
  const [purpose, setPurpose] = useState<Purpose>('evaluate');
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const [notice, setNotice] = useState<NoticeValue>(null);
  const create = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const created = unwrap(
        await api.POST('/api/admin/service-tokens', { body: { name, permissions: PURPOSES[purpose] } }),
      );
      setSecret({ name: created.name, token: created.token });
      setName('');
      setNotice(null);
      await tokens.reload();
    } catch (error) {
      setNotice({ kind: 'error', text: describeError(t, error) });
    }
  };
  return (
    <>
      <h1>{t('tokens.title')}</h1>
      <LoadError error={tokens.error} />
      {secret && (
        <div role="status" className="notice notice-ok secret">
          <p>{t('tokens.secretOnce', { name: secret.name })}</p>
          <p className="row">
            <code className="copyable">{secret.token}</code> <CopyButton text={secret.token} />
          </p>
        </div>
      )}
      <Notice value={notice} />
      <table>
        <thead>
          <tr>
            <th scope="col">{t('tokens.name')}</th>
            <th scope="col">{t('tokens.prefix')}</th>
            <th scope="col">{t('tokens.permissions')}</th>
            <th scope="col">{t('tokens.createdBy')}</th>
            <th scope="col">{t('tokens.createdAt')}</th>
            <th scope="col">{t('tokens.revokedAt')}</th>
          </tr>
        </thead>
        <tbody>
          {(tokens.data ?? []).map((token) => (
            <tr key={token.id}>
              <th scope="row">{token.name}</th>
              <td>
                <code>{token.tokenPrefix}…</code>
              </td>
              <td>{token.permissions.join(', ')}</td>
              <td>{token.createdBy}</td>
              <td>
                <Time iso={token.createdAt} />
              </td>
              <td>
                {token.revokedAt ? (
                  <Time iso={token.revokedAt} />
                ) : (
                  <ConfirmButton
                    danger
                    label={t('tokens.revoke', { name: token.name })}
                    message={t('tokens.revokeConfirm', { name: token.name })}
                    onConfirm={async () => {
                      try {
                        unwrap(
                          await api.DELETE('/api/admin/service-tokens/{id}', { params: { path: { id: token.id } } }),
                        );
                        await tokens.reload();
                      } catch (error) {
                        setNotice({ kind: 'error', text: describeError(t, error) });
                      }
                    }}
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('tokens.create')}</h2>
      <form className="row" onSubmit={(event) => void create(event)}>
        <label>
          {t('tokens.name')} <input required value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <label>
          {t('tokens.permissions')}{' '}
          <select value={purpose} onChange={(event) => setPurpose(event.target.value as Purpose)}>
            <option value="evaluate">{t('tokens.purpose.evaluate')}</option>
            <option value="telemetry">{t('tokens.purpose.telemetry')}</option>
            <option value="both">{t('tokens.purpose.both')}</option>
          </select>
        </label>
        <button type="submit" className="primary">
          {t('tokens.create')}
        </button>
      </form>
    </>
  );
}
