import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Principal } from 'src/auth/principal';
import { TelemetryIngestResponseDto } from 'src/telemetry/telemetry.dto';
import {
  MINUTE_MS,
  TelemetryFlagGate,
  TelemetryRejectionCode,
  TelemetryWindow,
  toAggregate,
} from 'src/telemetry/telemetry-aggregator';
import { TelemetryCommitter } from 'src/telemetry/telemetry-committer';
import { HourlyCounts, TelemetryMinutesRepository } from 'src/telemetry/telemetry-minutes.repository';
import { TelemetryRateLimiter } from 'src/telemetry/telemetry-rate-limiter';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import { FlagSnapshotService } from 'src/feature-flags/flag-snapshot.service';
import { AppError } from 'src/http/app-error';

export type { TelemetryAggregate, TelemetryWindow } from 'src/telemetry/telemetry-aggregator';
export type { HourlyCounts } from 'src/telemetry/telemetry-minutes.repository';

/** What happened to the events received since start (a request's events share one outcome when it is not about one event). */
export type TelemetryOutcome =
  'accepted' | 'invalid' | 'unknown_flag' | 'flag_not_allowed' | 'rate_limited' | 'not_committed';

export type TelemetryHealth = Readonly<{
  /** Events counted in memory and waiting for their commit (requests not yet answered). */
  pendingEvents: number;
  commits: number;
  failedCommits: number;
  lastCommitAt: string | null;
  lastError: string | null;
}>;

const OUTCOME_OF: Record<TelemetryRejectionCode, TelemetryOutcome> = {
  INVALID_EVENT: 'invalid',
  UNKNOWN_FLAG: 'unknown_flag',
  FLAG_NOT_ALLOWED: 'flag_not_allowed',
};

/**
 * Telemetry intake (docs/telemetry.md): a batch is validated event by event, counted per flag, variant
 * and minute, and committed to `telemetry_minutes` before it is answered — a 202 means durable.
 * Concurrent requests share commits (TelemetryCommitter), so the database sees one additive
 * upsert per round, not per request. When the commit fails the request answers 503 and nothing of
 * it is acknowledged; the sender retries. Events count only for existing, non-archived flags the
 * sending token may report on.
 */
@Injectable()
export class TelemetryService implements OnApplicationShutdown {
  private readonly logger = new Logger(TelemetryService.name);
  private readonly committer: TelemetryCommitter;
  private readonly outcomes = new Map<TelemetryOutcome, number>();

  constructor(
    private readonly minutes: TelemetryMinutesRepository,
    private readonly snapshot: FlagSnapshotService,
    private readonly limiter: TelemetryRateLimiter,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.committer = new TelemetryCommitter(
      (buckets) => this.minutes.addBuckets(buckets),
      config.telemetry.commitWindowMs,
    );
  }

  /** Runs after the HTTP server has closed: the commits still in flight finish before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    await this.committer.drain();
  }

  /** Validates, counts and commits a batch; answers once the accepted events are stored. */
  async ingest(sender: Principal, events: readonly unknown[]): Promise<TelemetryIngestResponseDto> {
    const group = this.committer.group();
    const { accepted, rejected } = group.aggregator.ingest(events, Date.now(), this.gateFor(sender));
    for (const { code } of rejected) this.count(OUTCOME_OF[code], 1);
    if (accepted > 0) {
      try {
        await group.committed;
      } catch (error) {
        this.count('not_committed', accepted);
        this.logger.warn({ err: error, events: accepted }, 'Telemetry not committed; answering 503');
        throw new AppError(
          503,
          'DATABASE_UNAVAILABLE',
          'The telemetry could not be stored; nothing of this batch was kept. Retry shortly.',
        );
      }
    }
    this.count('accepted', accepted);
    return { accepted, rejected };
  }

  /** Resolves once every batch received so far is stored (or refused); acknowledged ones already are. */
  flush(): Promise<void> {
    return this.committer.drain();
  }

  /** The flag's stored telemetry over every minute that overlaps [from, to), per variant. */
  async window(featureKey: string, from: Date, to: Date): Promise<TelemetryWindow> {
    const fromMinute = Math.floor(from.getTime() / MINUTE_MS);
    const toMinute = Math.max(fromMinute, Math.ceil(to.getTime() / MINUTE_MS));
    const stored = await this.minutes.sumWindow(featureKey, fromMinute, toMinute);
    return { on: toAggregate(stored.on), off: toAggregate(stored.off) };
  }

  /** The minute of the flag's latest stored telemetry event before `before` (minute resolution), null when none. */
  lastEventMinute(featureKey: string, before: Date): Promise<Date | null> {
    return this.minutes.lastMinute(featureKey, before);
  }

  /** The flag's stored counters over every minute that overlaps [from, to), per clock hour and variant. */
  hourly(featureKey: string, from: Date, to: Date): Promise<HourlyCounts[]> {
    const fromMinute = Math.floor(from.getTime() / MINUTE_MS);
    const toMinute = Math.max(fromMinute, Math.ceil(to.getTime() / MINUTE_MS));
    return this.minutes.sumByHour(featureKey, fromMinute, toMinute);
  }

  health(): TelemetryHealth {
    const figures = this.committer.figures();
    return {
      pendingEvents: figures.pendingEvents,
      commits: figures.commits,
      failedCommits: figures.failedCommits,
      lastCommitAt: figures.lastCommitAt?.toISOString() ?? null,
      lastError: figures.lastError,
    };
  }

  /** Events received since start, by outcome (rate-limited ones included). */
  outcomeCounts(): Record<TelemetryOutcome, number> {
    return {
      accepted: this.outcomes.get('accepted') ?? 0,
      invalid: this.outcomes.get('invalid') ?? 0,
      unknown_flag: this.outcomes.get('unknown_flag') ?? 0,
      flag_not_allowed: this.outcomes.get('flag_not_allowed') ?? 0,
      rate_limited: this.limiter.refusals().events,
      not_committed: this.outcomes.get('not_committed') ?? 0,
    };
  }

  /** Events count for existing, live flags only, and only those the sending token is limited to. */
  private gateFor(sender: Principal): TelemetryFlagGate {
    const allowed = sender.telemetryFeatureKeys ?? null;
    return (featureKey) => {
      const flag = this.snapshot.get(featureKey);
      if (flag === undefined) return { code: 'UNKNOWN_FLAG', reason: `no flag has the key ${featureKey}` };
      if (flag.archived) return { code: 'UNKNOWN_FLAG', reason: `the flag ${featureKey} is archived` };
      if (allowed !== null && !allowed.has(featureKey)) {
        return { code: 'FLAG_NOT_ALLOWED', reason: `this token may not send telemetry for ${featureKey}` };
      }
      return null;
    };
  }

  private count(outcome: TelemetryOutcome, events: number): void {
    if (events > 0) this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + events);
  }
}
