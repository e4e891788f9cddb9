import { CronTime } from 'cron';

/*
 * The label of a scheduled checkpoint names its slot: `scheduled-2026-02-01T06:00Z` (seconds
 * appear only for sub-minute schedules). The scheduler writes it, the go/no-go reads the slot
 * back for its coverage count, and manual runs may not use the prefix. The schedule's cadence,
 * which that count follows, is read from the cron expression here too.
 */

const PREFIX = 'scheduled-';
const PATTERN = /^scheduled-(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)Z$/;

export function scheduledLabel(slot: Date): string {
  const iso = slot.toISOString();
  return `${PREFIX}${slot.getUTCSeconds() === 0 ? iso.slice(0, 16) : iso.slice(0, 19)}Z`;
}

/** Labels with this prefix belong to the schedule. */
export function isScheduledLabel(label: string): boolean {
  return label.startsWith(PREFIX);
}

/** The slot a scheduled label names, or null for any other label. */
export function slotOfLabel(label: string): Date | null {
  const match = PATTERN.exec(label);
  return match ? new Date(`${match[1]}Z`) : null;
}

const HOUR_MS = 3_600_000;
/** Slots looked at to find a schedule's cadence: more than a day of an hourly schedule. */
const CADENCE_SAMPLE = 30;

/**
 * How often a BETA_MONITOR_CRON schedule runs, as the go/no-go's coverage counts it: the
 * longest gap between its next slots when that divides an hour evenly (every 30 s, 5 min,
 * 15 min…), else an hour (the runbook's hourly checkpoints, also the bound for slower or uneven
 * schedules).
 */
export function coverageCadenceMs(cron: string, from = new Date(Date.UTC(2026, 0, 5))): number {
  const time = new CronTime(cron, 'UTC');
  let previous = time.getNextDateFrom(from).toJSDate().getTime();
  let longest = 0;
  for (let i = 0; i < CADENCE_SAMPLE; i++) {
    const next = time.getNextDateFrom(new Date(previous)).toJSDate().getTime();
    longest = Math.max(longest, next - previous);
    previous = next;
  }
  return longest > 0 && longest < HOUR_MS && HOUR_MS % longest === 0 ? longest : HOUR_MS;
}
