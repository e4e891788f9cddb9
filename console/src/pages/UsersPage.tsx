import { useState, type FormEvent } from 'react';
import { api, unwrap, type Role } from '../api/client';
import { ConfirmButton } from '../components/ConfirmButton';
import { describeError, LoadError, Notice, type NoticeValue } from '../components/Notice';
import { Time } from '../components/Time';
import { useI18n } from '../i18n/i18n';
import { useUser } from '../lib/session';
import { useLoad } from '../lib/use-load';

const ROLES: readonly Role[] = ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER'];

/** SUPER_ADMIN: create users, change a role, remove a user. */
export function UsersPage() {
  const { t } = useI18n();
  const me = useUser();
  const users = useLoad(
    async () => unwrap(await api.GET('/api/admin/users', { params: { query: { limit: 500 } } })).items,
    [],
  );
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('OPERATOR');
  const [notice, setNotice] = useState<NoticeValue>(null);
  const act = async (work: () => Promise<string | null>) => {
    try {
      const text = await work();
      setNotice(text === null ? null : { kind: 'ok', text });
      await users.reload();
    } catch (error) {
      setNotice({ kind: 'error', text: describeError(t, error) });
    }
  };
  const create = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      unwrap(await api.POST('/api/admin/users', { body: { email, password, role } }));
      setEmail('');
      setPassword('');
      return t('users.created', { email });
    });
  };
  return (
    <>
      <h1>{t('users.title')}</h1>
      <LoadError error={users.error} />
      <Notice value={notice} />
      <table>
        <thead>
          <tr>
            <th scope="col">{t('users.email')}</th>
            <th scope="col">{t('users.role')}</th>
            <th scope="col">{t('tokens.createdAt')}</th>
            <th scope="col">
              <span className="sr-only">{t('allowlist.remove')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(users.data ?? []).map((user) => (
            <tr key={user.id}>
              <th scope="row">{user.email}</th>
              <td>
                <select
                  aria-label={t('users.changeRole', { email: user.email })}
                  value={user.role}
                  disabled={user.id === me.id}
                  onChange={(event) =>
                    void act(async () => {
                      unwrap(
                        await api.PATCH('/api/admin/users/{id}', {
                          params: { path: { id: user.id } },
                          body: { role: event.target.value as Role },
                        }),
                      );
                      return null;
                    })
                  }
                >
                  {ROLES.map((value) => (
                    <option key={value} value={value}>
                      {t(`role.${value}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <Time iso={user.createdAt} />
              </td>
              <td>
                {user.id !== me.id && (
                  <ConfirmButton
                    danger
                    label={t('users.remove', { email: user.email })}
                    message={t('users.removeConfirm', { email: user.email })}
                    onConfirm={() =>
                      act(async () => {
                        unwrap(await api.DELETE('/api/admin/users/{id}', { params: { path: { id: user.id } } }));
                        return null;
                      })
                    }
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('users.create')}</h2>
      <form className="row wrap" onSubmit={create}>
        <label>
          {t('users.email')}{' '}
          <input type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
        </label>
        <label>
          {t('users.password')}{' '}
          <input
            type="password"
            autoComplete="new-password"
            minLength={12}
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <label>
          {t('users.role')}{' '}
          <select value={role} onChange={(event) => setRole(event.target.value as Role)}>
            {ROLES.map((value) => (
              <option key={value} value={value}>
                {t(`role.${value}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          {t('users.create')}
        </button>
      </form>
    </>
  );
}
