import { useEffect, useState } from 'react';
import type { MonitorStatus } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { countdown, formatCountdown, formatDuration } from '../lib/time';
import { Time } from './Time';

/** Phase, time in phase, the go/no-go countdown and the next scheduled run; ticks every second. */
export function PhaseClock({ status }: { status: MonitorStatus }) {
  const { t } = useI18n();
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(timer);
  }, []);
  const phase = status.phase;
  if (!phase) return null;
  const due = status.goNoGoDueAt ? countdown(new Date(status.goNoGoDueAt), now) : null;
  return (
    <dl className="facts">
      <dt>{t('monitor.phase')}</dt>
      <dd>
        <strong>{phase.name}</strong> (enabled {String(phase.expected.enabled)}, {phase.expected.rolloutPercentage} %,
        allowlist {phase.expected.allowlistCount})
      </dd>
      <dt>{t('monitor.timeInPhase')}</dt>
      <dd>{phase.startedAt ? formatDuration(now.getTime() - Date.parse(phase.startedAt)) : '—'}</dd>
      {due && (
        <>
          <dt>{due.overdue ? t('monitor.overdue') : t('monitor.dueIn')}</dt>
          <dd>
            <span className="countdown">{formatCountdown(due)}</span> (<Time iso={status.goNoGoDueAt} />)
          </dd>
        </>
      )}
      <dt>{t('monitor.nextRun')}</dt>
      <dd>{status.nextScheduledRunAt ? <Time iso={status.nextScheduledRunAt} /> : t('monitor.notScheduled')}</dd>
    </dl>
  );
}
