import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { FlagRequestCounter } from 'src/feature-flags/flag-request-counter';
import type { EvaluationReason } from 'src/feature-flags/resolver';
import { AppLogger } from 'src/http/logging';

export const SUMMARY_INTERVAL_MS = 60_000;

export type EvaluationSummaryLine = Readonly<{
  feature_key: string;
  from: string;
  to: string;
  total: number;
  reasons: Readonly<Partial<Record<EvaluationReason, number>>>;
}>;

/**
 * The evaluation routes write no log line per request (they are called on the hot path of
 * other services); instead, once a minute, one info line per flag says how many evaluations it
 * answered and for which reasons. Built from FlagRequestCounter's running totals, so the
 * request path pays nothing for it.
 */
@Injectable()
export class EvaluationSummary implements OnModuleInit, OnModuleDestroy {
  /** Totals at the last summary, per flag and reason. */
  private readonly previous = new Map<string, number>();
  private since: Date;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly counter: FlagRequestCounter,
    private readonly logger: AppLogger,
  ) {
    this.since = new Date();
  }

  onModuleInit(): void {
    this.timer = setInterval(() => this.flush(), SUMMARY_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.flush();
  }

  /** The evaluations since the last call, per flag with any; the next call starts from here. */
  summarise(now = new Date()): EvaluationSummaryLine[] {
    const lines = new Map<string, { total: number; reasons: Partial<Record<EvaluationReason, number>> }>();
    for (const { key, reason, count } of this.counter.reasonCounts()) {
      const id = `${key} ${reason}`;
      const delta = count - (this.previous.get(id) ?? 0);
      if (delta === 0) continue;
      this.previous.set(id, count);
      let line = lines.get(key);
      if (line === undefined) {
        line = { total: 0, reasons: {} };
        lines.set(key, line);
      }
      line.total += delta;
      line.reasons[reason] = delta;
    }
    const from = this.since.toISOString();
    this.since = now;
    return [...lines].map(([key, line]) => ({ feature_key: key, from, to: now.toISOString(), ...line }));
  }

  flush(now = new Date()): void {
    for (const line of this.summarise(now)) this.logger.pino.info(line, 'evaluations');
  }
}
