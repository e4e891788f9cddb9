import type { Health } from '../api/client';
import { useI18n } from '../i18n/i18n';

const ICON: Readonly<Record<Health | 'NONE', string>> = { GREEN: '●', YELLOW: '▲', RED: '■', NONE: '○' };

/**
 * Health in colour, icon and words: colour is never the only signal. `noTraffic`: the checkpoint
 * saw neither evaluations nor telemetry, so a GREEN says "no traffic in this window", not "healthy".
 */
export function HealthBadge({
  health,
  large = false,
  noTraffic = false,
}: {
  health: Health | null | undefined;
  large?: boolean;
  noTraffic?: boolean;
}) {
  const { t } = useI18n();
  const value = health ?? 'NONE';
  const label = !noTraffic
    ? t(`monitor.health.${value}`)
    : value === 'GREEN'
      ? t('monitor.health.GREEN.noTraffic')
      : `${t(`monitor.health.${value}`)} · ${t('monitor.noTraffic')}`;
  return (
    <span className={`health health-${value.toLowerCase()}${large ? ' health-large' : ''}`}>
      <span aria-hidden="true" className="health-icon">
        {ICON[value]}
      </span>{' '}
      {label}
    </span>
  );
}

/** A checkpoint or criterion status (PASS, WARN, FAIL, ERROR, INSUFFICIENT_DATA) as a chip with words. */
export function StatusChip({ status }: { status: string | null | undefined }) {
  const value = status ?? '—';
  const tone =
    value === 'PASS' || value === 'GO'
      ? 'green'
      : value === 'WARN' || value === 'EXTEND' || value === 'PENDING'
        ? 'yellow'
        : value === '—' || value === 'INSUFFICIENT_DATA'
          ? 'none'
          : 'red';
  return <span className={`chip chip-${tone}`}>{value}</span>;
}
