import { Injectable } from '@nestjs/common';
import type { EvaluationReason } from 'src/feature-flags/resolver';

const MINUTE_MS = 60_000;
/** Minutes kept per flag: a day, the longest window the beta monitor looks at. */
const RETENTION_MINUTES = 24 * 60;

/**
 * Distinct flag keys whose evaluations are counted by reason; evaluations of further keys
 * (callers asking for ever new unknown keys) are counted under OTHER_FLAGS, which bounds both
 * memory and the cardinality of `flagdog_evaluations_total`.
 */
export const MAX_REASON_KEYS = 1000;
export const OTHER_FLAGS = '_other';
/** Evaluations of keys that name no flag are counted under this one key (no flag key starts with "_"). */
export const UNKNOWN_FLAG_KEY = '_unknown';

export type MinuteCount = Readonly<{ minute: string; count: number }>;
export type ReasonCount = Readonly<{ key: string; reason: EvaluationReason; count: number }>;

/**
 * Feature-flag requests per flag and minute, counted in memory on the evaluation path
 * (a map lookup and an increment; nothing is awaited). The beta monitor reads them.
 */
@Injectable()
export class FlagRequestCounter {
  private readonly counts = new Map<string, Map<number, number>>();
  /** Evaluations since start per flag and reason, for /metrics (read at scrape time only). */
  private readonly reasons = new Map<string, Map<EvaluationReason, number>>();

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

  /** Counts one evaluation of `key` answered for `reason`: two map lookups and an increment. */
  countReason(key: string, reason: EvaluationReason): void {
    let perReason = this.reasons.get(key);
    if (perReason === undefined) perReason = this.newReasonEntry(key);
    perReason.set(reason, (perReason.get(reason) ?? 0) + 1);
  }

  /** Evaluations since start per flag and reason (counts only grow). */
  reasonCounts(): ReasonCount[] {
    const result: ReasonCount[] = [];
    for (const [key, perReason] of this.reasons) {
      for (const [reason, count] of perReason) result.push({ key, reason, count });
    }
    return result;
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

  private newReasonEntry(key: string): Map<EvaluationReason, number> {
    const bucket = this.reasons.size < MAX_REASON_KEYS ? key : OTHER_FLAGS;
    let perReason = this.reasons.get(bucket);
    if (perReason === undefined) {
      perReason = new Map();
      this.reasons.set(bucket, perReason);
    }
    return perReason;
  }

  private prune(perMinute: Map<number, number>, current: number): void {
    for (const minute of perMinute.keys()) if (minute <= current - RETENTION_MINUTES) perMinute.delete(minute);
  }
}
