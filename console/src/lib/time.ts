export type Countdown = Readonly<{ overdue: boolean; days: number; hours: number; minutes: number; seconds: number }>;

/** Time left until `due` (or past it), split for display. */
export function countdown(due: Date, now: Date): Countdown {
  const diff = due.getTime() - now.getTime();
  const total = Math.floor(Math.abs(diff) / 1000);
  return {
    overdue: diff < 0,
    days: Math.floor(total / 86400),
    hours: Math.floor((total % 86400) / 3600),
    minutes: Math.floor((total % 3600) / 60),
    seconds: total % 60,
  };
}

/** "1d 02h 03m 04s", "02h 03m 04s" or "03m 04s". */
export function formatCountdown(value: Countdown): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const parts = [`${pad(value.minutes)}m`, `${pad(value.seconds)}s`];
  if (value.hours > 0 || value.days > 0) parts.unshift(`${pad(value.hours)}h`);
  if (value.days > 0) parts.unshift(`${value.days}d`);
  return parts.join(' ');
}

/** A duration in whole hours and minutes: "26 h 05 min". */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60000));
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** The start of each hour from `start` to `end`, for the checkpoint timeline. */
export function hoursBetween(start: Date, end: Date): Date[] {
  const first = new Date(start);
  first.setUTCMinutes(0, 0, 0);
  const hours: Date[] = [];
  for (let t = first.getTime(); t <= end.getTime(); t += 3_600_000) hours.push(new Date(t));
  return hours.slice(-24 * 14);
}
