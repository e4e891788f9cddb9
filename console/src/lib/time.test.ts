import { describe, expect, it } from 'vitest';
import { countdown, formatCountdown, formatDuration, hoursBetween } from './time';

describe('countdown', () => {
  const now = new Date('2026-02-01T05:04:00Z');
  it('splits the time left until the go/no-go', () => {
    const left = countdown(new Date('2026-02-02T05:04:00Z'), now);
    expect(left).toEqual({ overdue: false, days: 1, hours: 0, minutes: 0, seconds: 0 });
    expect(formatCountdown(left)).toBe('1d 00h 00m 00s');
    expect(formatCountdown(countdown(new Date('2026-02-01T07:10:09Z'), now))).toBe('02h 06m 09s');
    expect(formatCountdown(countdown(new Date('2026-02-01T05:05:30Z'), now))).toBe('01m 30s');
  });
  it('says when it is overdue', () => {
    const late = countdown(new Date('2026-02-01T04:00:00Z'), now);
    expect(late.overdue).toBe(true);
    expect(formatCountdown(late)).toBe('01h 04m 00s');
  });
  it('formats time in phase and lists the phase hours', () => {
    expect(formatDuration(26 * 3_600_000 + 5 * 60_000)).toBe('26 h 05 min');
    const hours = hoursBetween(new Date('2026-02-01T05:04:00Z'), new Date('2026-02-01T08:00:00Z'));
    expect(hours.map((h) => h.toISOString().slice(11, 16))).toEqual(['05:00', '06:00', '07:00', '08:00']);
  });
});
