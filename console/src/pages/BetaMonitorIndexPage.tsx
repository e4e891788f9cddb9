import { Link } from 'react-router';
import { HealthBadge } from '../components/HealthBadge';
import { LoadError } from '../components/Notice';
import { Time } from '../components/Time';
import { useI18n } from '../i18n/i18n';
import { loadFlagsWithStatus } from '../lib/monitor';
import { useLoad } from '../lib/use-load';

/** Runbook §1: …/admin/beta-monitor, every flag with an active phase and its signal. */
export function BetaMonitorIndexPage() {
  const { t } = useI18n();
  const { data, error } = useLoad(loadFlagsWithStatus, [], 15000);
  const watched = (data ?? []).filter(({ status }) => status?.phase);
  return (
    <>
      <h1>{t('monitor.title')}</h1>
      <p className="muted">{t('monitor.indexHelp')}</p>
      <LoadError error={error} />
      {data === undefined ? (
        <p>{t('common.loading')}</p>
      ) : (
        <ul className="cards">
          {watched.map(({ flag, status }) => (
            <li key={flag.key} className="card">
              <h2>
                <Link to={`/beta-monitor/${flag.key}`}>{flag.key}</Link>
              </h2>
              <HealthBadge health={status!.health} large noTraffic={status!.healthNote !== null} />
              <p>
                {t('monitor.phase')}: <strong>{status!.phase!.name}</strong>
              </p>
              <p>
                {t('monitor.latest')}: <Time iso={status!.latest?.createdAt} />
              </p>
            </li>
          ))}
          {watched.length === 0 && <li>{t('flags.empty')}</li>}
        </ul>
      )}
    </>
  );
}
