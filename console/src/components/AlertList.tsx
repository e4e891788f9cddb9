import type { Alert } from '../api/client';
import { useI18n } from '../i18n/i18n';

export function AlertList({ alerts }: { alerts: readonly Alert[] }) {
  const { t } = useI18n();
  if (alerts.length === 0) return <p>{t('monitor.noAlerts')}</p>;
  return (
    <ul className="alerts">
      {alerts.map((alert, index) => (
        <li key={index} className={`alert alert-${alert.severity.toLowerCase()}`}>
          <strong>
            {alert.severity === 'CRITICAL' ? '■' : '▲'} {alert.code}
          </strong>{' '}
          ({alert.severity}): {alert.message}
        </li>
      ))}
    </ul>
  );
}
