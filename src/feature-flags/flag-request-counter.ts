import { Injectable } from '@nestjs/common';

const MINUTE_MS = 60_000;
/** Minutes kept per flag: a day, the longest window the beta monitor looks at. */
const RETENTION_MINUTES = 24 * 60;

export type MinuteCount = Readonly<{ minute: string; count: number }>;

/**
 * Feature-flag requests per flag and minute, counted in memory on the evaluation path
 * (a map lookup and an increment; nothing is awaited). The beta monitor reads them.
 */
@Injectable()
export class FlagRequestCounter {
  private readonly counts = new Map<string, Map<number, number>>();

  increment(key: string, now = Date.now()): void {
    const minute = Math.floor(now / MINUTE_MS);
    let perMinute = this.counts.get(key);
    if (perMinute === undefined) {
      perMinute = new Map();
      this.counts.set(key, perMinute);
    }
    const count = perMinute.get(minute);
    if (count === undefined) {
      perMinute.set(minute, 1);
      if (perMinute.size > RETENTION_MINUTES) this.prune(perMinute, minute);
    } else {
      perMinute.set(minute, count + 1);
    }
  }

  /** Requests for `key` per minute in [from, to), oldest first. */
  perMinute(key: string, from: Date, to: Date): MinuteCount[] {
    const first = Math.floor(from.getTime() / MINUTE_MS);
    const last = Math.ceil(to.getTime() / MINUTE_MS);
    const result: MinuteCount[] = [];
    for (const [minute, count] of this.counts.get(key) ?? []) {
      if (minute >= first && minute < last) result.push({ minute: new Date(minute * MINUTE_MS).toISOString(), count });
    }
    return result.sort((a, b) => a.minute.localeCompare(b.minute));
  }

  total(key: string, from: Date, to: Date): number {
    return this.perMinute(key, from, to).reduce((sum, { count }) => sum + count, 0);
  }

  private prune(perMinute: Map<number, number>, current: number): void {
    for (const minute of perMinute.keys()) if (minute <= current - RETENTION_MINUTES) perMinute.delete(minute);
  }
}
