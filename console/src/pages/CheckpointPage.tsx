import { Link, useParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { AlertList } from '../components/AlertList';
import { HealthBadge, StatusChip } from '../components/HealthBadge';
import { LoadError } from '../components/Notice';
import { Time } from '../components/Time';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/en';
import { can } from '../lib/permissions';
import { useUser } from '../lib/session';
import { useLoad } from '../lib/use-load';

const CHECKS = ['config', 'determinism', 'http_errors', 'latency', 'complaints', 'matching'] as const;

/** Evidence as readable lines: nested objects become "a.b: value". */
function flatten(value: unknown, prefix = ''): Array<[string, string]> {
  if (value === null || typeof value !== 'object') return [[prefix, value === null ? 'null' : String(value)]];
  if (Array.isArray(value)) {
    if (value.every((item) => item === null || typeof item !== 'object')) return [[prefix, value.join(', ') || '—']];
    return value.flatMap((item, index) => flatten(item, `${prefix}[${index}]`));
  }
  return Object.entries(value).flatMap(([key, item]) => flatten(item, prefix ? `${prefix}.${key}` : key));
}

/** One checkpoint: every check, its outcome and its evidence in words and numbers. */
export function CheckpointPage() {
  const { key = '', id = '' } = useParams();
  const { t } = useI18n();
  const user = useUser();
  const checkpoint = useLoad(
    async () =>
      unwrap(await api.GET('/api/admin/beta-monitor/{key}/checkpoints/{id}', { params: { path: { key, id } } })),
    [key, id],
  );
  const c = checkpoint.data;
  const evidence = (c?.evidence ?? {}) as Record<
    string,
    { outcome?: string; message?: string } & Record<string, unknown>
  >;
  return (
    <>
      <p>
        <Link to={`/beta-monitor/${key}`}>← {t('checkpoint.back')}</Link>
      </p>
      <LoadError error={checkpoint.error} />
      {c && (
        <>
          <h1>{t('checkpoint.title', { label: c.label })}</h1>
          <p>
            <StatusChip status={c.status} /> <HealthBadge health={c.health} large />
          </p>
          <dl className="facts">
            <dt>{t('monitor.phase')}</dt>
            <dd>{c.phase}</dd>
            <dt>{t('checkpoint.window')}</dt>
            <dd>
              <Time iso={c.windowStart} /> → <Time iso={c.windowEnd} />
            </dd>
            <dt>{t('monitor.trigger')}</dt>
            <dd>{t('checkpoint.triggeredBy', { who: c.triggeredBy, trigger: c.trigger })}</dd>
            <dt>{t('monitor.at')}</dt>
            <dd>
              <Time iso={c.createdAt} /> · {t('checkpoint.duration', { ms: c.durationMs })}
            </dd>
          </dl>
          {c.error && (
            <p role="alert" className="notice notice-error">
              {t('checkpoint.error', { error: c.error })}
            </p>
          )}
          <section aria-labelledby="alerts-title" className="panel">
            <h2 id="alerts-title">{t('monitor.alerts')}</h2>
            <AlertList
              alerts={c.alerts}
              dismiss={
                can(user.role, 'alert.dismiss')
                  ? { flagKey: key, checkpointId: c.id, onDone: () => checkpoint.reload() }
                  : null
              }
            />
          </section>
          <section aria-labelledby="checks-title">
            <h2 id="checks-title">{t('checkpoint.checks')}</h2>
            {CHECKS.filter((name) => evidence[name]).map((name) => (
              <section key={name} className="panel" aria-labelledby={`check-${name}`}>
                <h3 id={`check-${name}`}>
                  {t(`check.${name}` as MessageKey)} <StatusChip status={evidence[name]!.outcome} />
                </h3>
                {flatten(evidence[name])
                  .filter(([field]) => /(^|\.)(message|note)$/.test(field))
                  .map(([field, text]) => (
                    <p key={field} className="evidence-summary">
                      {text}
                    </p>
                  ))}
                <table className="evidence">
                  <caption className="sr-only">{t('checkpoint.evidence')}</caption>
                  <tbody>
                    {flatten(evidence[name])
                      .filter(([field]) => field !== 'outcome')
                      .map(([field, value]) => (
                        <tr key={field}>
                          <th scope="row">
                            <code>{field}</code>
                          </th>
                          <td>{value}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </section>
            ))}
          </section>
        </>
      )}
    </>
  );
}
