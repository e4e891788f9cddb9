import { Link } from 'react-router';
import type { Checkpoint } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { hoursBetween } from '../lib/time';

const RANK: Readonly<Record<Checkpoint['status'], number>> = { PASS: 0, WARN: 1, FAIL: 2, ERROR: 3 };

/** One cell per hour since the phase started, coloured (and lettered) by its worst checkpoint; empty hours show as gaps. */
export function CheckpointTimeline({
  startedAt,
  checkpoints,
  flagKey,
}: {
  startedAt: string;
  checkpoints: readonly Checkpoint[];
  flagKey: string;
}) {
  const { t, language } = useI18n();
  const hours = hoursBetween(new Date(startedAt), new Date());
  const format = new Intl.DateTimeFormat(language, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  return (
    <ol className="hours" aria-label={t('monitor.timeline')}>
      {hours.map((hour) => {
        const inHour = checkpoints.filter((c) => {
          const at = Date.parse(c.createdAt);
          return at >= hour.getTime() && at < hour.getTime() + 3_600_000;
        });
        const worst = inHour.reduce<Checkpoint | null>(
          (w, c) => (w === null || RANK[c.status] > RANK[w.status] ? c : w),
          null,
        );
        const label = format.format(hour);
        if (worst === null) {
          return (
            <li key={hour.toISOString()} className="hour hour-gap" title={t('monitor.timelineGap', { hour: label })}>
              <span className="sr-only">{t('monitor.timelineGap', { hour: label })}</span>
            </li>
          );
        }
        return (
          <li key={hour.toISOString()} className={`hour hour-${worst.status.toLowerCase()}`}>
            <Link
              to={`/beta-monitor/${flagKey}/checkpoints/${worst.id}`}
              title={t('monitor.timelineCell', { hour: label, status: worst.status })}
            >
              <span aria-hidden="true">{worst.status[0]}</span>
              <span className="sr-only">{t('monitor.timelineCell', { hour: label, status: worst.status })}</span>
            </Link>
          </li>
        );
      })}
    </ol>
  );
}
