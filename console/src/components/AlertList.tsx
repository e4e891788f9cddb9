import type { Alert } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { DismissAlertButton, type DismissTarget } from './DismissAlertButton';

/** A checkpoint's alerts; dismissed ones stay, marked. With `dismiss`, a Dismiss button per code not yet dismissed. */
export function AlertList({ alerts, dismiss }: { alerts: readonly Alert[]; dismiss?: DismissTarget | null }) {
  const { t } = useI18n();
  if (alerts.length === 0) return <p>{t('monitor.noAlerts')}</p>;
  const firstOfCode = (index: number) => alerts.findIndex((other) => other.code === alerts[index]!.code) === index;
  return (
    <ul className="alerts">
      {alerts.map((alert, index) => (
        <li
          key={index}
          className={`alert alert-${alert.severity.toLowerCase()}${alert.dismissed ? ' alert-dismissed' : ''}`}
        >
          <strong>
            {alert.severity === 'CRITICAL' ? '■' : '▲'} {alert.code}
          </strong>{' '}
          ({alert.severity}): {alert.message}
          {alert.dismissed ? (
            <span className="dismissed">
              {' '}
              — {t('alerts.dismissed', { who: alert.dismissed.dismissedBy, reason: alert.dismissed.reason })}
            </span>
          ) : (
            dismiss &&
            firstOfCode(index) && (
              <>
                {' '}
                <DismissAlertButton target={dismiss} code={alert.code} />
              </>
            )
          )}
        </li>
      ))}
    </ul>
  );
}
