import type { Health } from '../api/client';
import { useI18n } from '../i18n/i18n';

const ICON: Readonly<Record<Health | 'NONE', string>> = { GREEN: '●', YELLOW: '▲', RED: '■', NONE: '○' };

/** Health in colour, icon and words: colour is never the only signal. */
export function HealthBadge({ health, large = false }: { health: Health | null | undefined; large?: boolean }) {
  const { t } = useI18n();
  const value = health ?? 'NONE';
  return (
    <span className={`health health-${value.toLowerCase()}${large ? ' health-large' : ''}`}>
      <span aria-hidden="true" className="health-icon">
        {ICON[value]}
      </span>{' '}
      {t(`monitor.health.${value}`)}
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
