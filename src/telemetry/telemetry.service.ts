import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { TelemetryIngestResponseDto } from 'src/telemetry/telemetry.dto';
import {
  mergeInto,
  MINUTE_MS,
  TelemetryAggregate,
  TelemetryAggregator,
  TelemetryWindow,
  toAggregate,
} from 'src/telemetry/telemetry-aggregator';
import { TelemetryMinutesRepository } from 'src/telemetry/telemetry-minutes.repository';

export type { TelemetryAggregate, TelemetryWindow } from 'src/telemetry/telemetry-aggregator';

/** How often the buffered minutes are written. */
export const FLUSH_INTERVAL_MS = 2000;
/** Distinct (flag, variant, minute) buckets held in memory at most, e.g. while the database is away. */
export const MAX_BUFFERED_BUCKETS = 100_000;

export type TelemetryHealth = Readonly<{
  /** Buckets in memory not yet written. */
  bufferedBuckets: number;
  maxBufferedBuckets: number;
  /** Valid events dropped since start because the buffer was full. */
  dropped: number;
  lastFlushAt: string | null;
  lastError: string | null;
}>;

/**
 * Telemetry intake (docs/telemetry.md): events are counted in memory per flag, variant and minute, and
 * written every FLUSH_INTERVAL_MS with one additive upsert, so several instances add up. While
 * the database is away the buckets stay buffered (bounded) and are written when it returns;
 * graceful shutdown writes what is left. Flushes and window reads run one at a time, so a read
 * sees every event of this instance exactly once: either stored or still in memory.
 */
@Injectable()
export class TelemetryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TelemetryService.name);
  private readonly aggregator = new TelemetryAggregator(MAX_BUFFERED_BUCKETS);
  private timer: NodeJS.Timeout | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextFlush: Promise<void> | null = null;
  private lastFlushAt: Date | null = null;
  private lastError: string | null = null;

  constructor(private readonly minutes: TelemetryMinutesRepository) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Runs after the HTTP server has closed (so no event arrives later) and before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush().catch(() => {
      this.logger.error({ bufferedBuckets: this.aggregator.bucketCount }, 'Telemetry not written at shutdown: the database is unreachable');
    });
  }

  /** Validates and counts a batch; answers what was accepted, rejected (with reasons) and dropped. */
  ingest(events: readonly unknown[]): TelemetryIngestResponseDto {
    const { accepted, rejected, dropped } = this.aggregator.ingest(events);
    return dropped > 0 ? { accepted, rejected, dropped } : { accepted, rejected };
  }

  /**
   * Writes every buffered bucket now. Calls made while a flush is waiting join it; it rejects
   * when the database cannot be written (the buckets stay buffered for the next attempt).
   */
  flush(): Promise<void> {
    this.nextFlush ??= this.exclusive(() => {
      this.nextFlush = null;
      return this.write();
    });
    return this.nextFlush;
  }

  /**
   * The flag's telemetry over every minute that overlaps [from, to), per variant: the stored
   * minutes (all instances' flushed events) plus this instance's events not yet flushed.
   */
  window(featureKey: string, from: Date, to: Date): Promise<TelemetryWindow> {
    const fromMinute = Math.floor(from.getTime() / MINUTE_MS);
    const toMinute = Math.max(fromMinute, Math.ceil(to.getTime() / MINUTE_MS));
    return this.exclusive(async () => {
      const buffered = this.aggregator.sum(featureKey, fromMinute, toMinute);
      const stored = await this.minutes.sumWindow(featureKey, fromMinute, toMinute);
      const on: TelemetryAggregate = toAggregate(mergeInto(stored.on, buffered.on));
      const off: TelemetryAggregate = toAggregate(mergeInto(stored.off, buffered.off));
      return { on, off };
    });
  }

  health(): TelemetryHealth {
    return {
      bufferedBuckets: this.aggregator.bucketCount,
      maxBufferedBuckets: MAX_BUFFERED_BUCKETS,
      dropped: this.aggregator.dropped,
      lastFlushAt: this.lastFlushAt?.toISOString() ?? null,
      lastError: this.lastError,
    };
  }

  private async write(): Promise<void> {
    const buckets = this.aggregator.take();
    try {
      await this.minutes.addBuckets(buckets);
    } catch (error) {
      this.aggregator.restore(buckets);
      if (this.lastError === null) {
        this.logger.warn({ err: error, bufferedBuckets: this.aggregator.bucketCount }, 'Telemetry flush failed; buffering until the database returns');
      }
      this.lastError = error instanceof Error ? error.message : String(error);
      throw error;
    }
    if (this.lastError !== null) this.logger.log({ written: buckets.length }, 'Telemetry flushed again after a failure');
    this.lastError = null;
    this.lastFlushAt = new Date();
  }

  /** Runs `work` after everything queued before it. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
