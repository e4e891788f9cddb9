import { Link } from 'react-router';
import type { MonitorStatus, Phase } from '../api/client';
import { useI18n } from '../i18n/i18n';

/** The phase's active holds, each with the checkpoint and alert that caused it. */
export function Holds({ holds, flagKey }: { holds: MonitorStatus['holds']; flagKey: string }) {
  const { t } = useI18n();
  if (holds.length === 0) return <p className="muted">{t('holds.none')}</p>;
  return (
    <div role="status" className="notice notice-error holds">
      <p>
        <strong>{t('holds.title')}</strong>
      </p>
      <ul>
        {holds.map((hold) => (
          <li key={hold.code}>
            <strong>{hold.code}</strong> —{' '}
            <Link to={`/beta-monitor/${flagKey}/checkpoints/${hold.checkpointId}`}>{hold.checkpointLabel}</Link>:{' '}
            {hold.message}
          </li>
        ))}
      </ul>
      <p className="small">{t('holds.release')}</p>
    </div>
  );
}

/** What the phase does about each alert code: roll back, hold or only notify. */
export function SignalActionsTable({ phase }: { phase: Phase }) {
  const { t } = useI18n();
  const entries = Object.entries(phase.signalActions).sort(([a], [b]) => a.localeCompare(b));
  return (
    <details>
      <summary>{t('signals.title')}</summary>
      <table className="signal-actions">
        <thead>
          <tr>
            <th scope="col">{t('signals.code')}</th>
            <th scope="col">{t('signals.action')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map(([code, action]) => (
            <tr key={code}>
              <th scope="row">
                <code>{code}</code>
              </th>
              <td>{t(`signals.action.${action}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
