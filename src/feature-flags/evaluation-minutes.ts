import { Injectable, Logger, OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

const MINUTE_MS = 60_000;
/** How often an instance adds its evaluation counts to `evaluation_minutes`. */
export const EVALUATION_FLUSH_MS = 5_000;
/** Counts that could not be written are kept this long, then dropped (the checkpoints look back an hour). */
const KEEP_UNWRITTEN_MINUTES = 24 * 60;

/** How often a flag was answered ON and OFF. */
export type ServedCounts = { on: number; off: number };

export type EvaluationMinute = Readonly<{ featureKey: string; minute: number; on: number; off: number }>;

/** Evaluations counted in memory since the last write, per flag and minute: a map lookup and an increment. */
export class EvaluationTally {
  private pending = new Map<string, Map<number, ServedCounts>>();

  count(featureKey: string, enabled: boolean, now: number): void {
    const counts = this.countsOf(featureKey, Math.floor(now / MINUTE_MS));
    if (enabled) counts.on += 1;
    else counts.off += 1;
  }

  get isEmpty(): boolean {
    return this.pending.size === 0;
  }

  /** Removes and returns everything counted. */
  take(): EvaluationMinute[] {
    const rows: EvaluationMinute[] = [];
    for (const [featureKey, perMinute] of this.pending)
      for (const [minute, { on, off }] of perMinute) rows.push({ featureKey, minute, on, off });
    this.pending = new Map();
    return rows;
  }

  /** Puts back rows whose write failed, dropping those older than a day. */
  restore(rows: readonly EvaluationMinute[], now: number): void {
    const oldest = Math.floor(now / MINUTE_MS) - KEEP_UNWRITTEN_MINUTES;
    for (const row of rows) {
      if (row.minute < oldest) continue;
      const counts = this.countsOf(row.featureKey, row.minute);
      counts.on += row.on;
      counts.off += row.off;
    }
  }

  private countsOf(featureKey: string, minute: number): ServedCounts {
    let perMinute = this.pending.get(featureKey);
    if (perMinute === undefined) {
      perMinute = new Map();
      this.pending.set(featureKey, perMinute);
    }
    let counts = perMinute.get(minute);
    if (counts === undefined) {
      counts = { on: 0, off: 0 };
      perMinute.set(minute, counts);
    }
    return counts;
  }
}

/** Adds the rows to the stored minutes; several instances (and several writes of one minute) sum up. */
export const EVALUATION_UPSERT_SQL = `
INSERT INTO evaluation_minutes AS t (feature_key, minute, served_on, served_off)
SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::bigint[])
ON CONFLICT (feature_key, minute) DO UPDATE SET
  served_on = t.served_on + EXCLUDED.served_on,
  served_off = t.served_off + EXCLUDED.served_off`;

/**
 * Per-flag, per-minute ON/OFF evaluation counts that outlive the process (docs/beta-monitor-checks.md,
 * data coverage): the evaluation path only increments a counter in memory; every 5 seconds (and
 * at shutdown) the counts go to `evaluation_minutes` in one additive upsert. A failed write keeps
 * the counts for the next one. A checkpoint reads the sums of its window, whichever instance or
 * process answered the evaluations.
 */
@Injectable()
export class EvaluationMinutesService implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('EvaluationMinutes');
  private readonly tally = new EvaluationTally();
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private inFlight = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    // A write still waiting on a slow database is not queued behind: its successor catches up.
    this.timer = setInterval(() => {
      if (!this.inFlight) void this.flush();
    }, EVALUATION_FLUSH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** After the HTTP server has closed, before the database does: the last counts are written. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** One evaluation answered for an existing flag (the hot path: nothing is awaited). */
  count(featureKey: string, enabled: boolean, now = Date.now()): void {
    this.tally.count(featureKey, enabled, now);
  }

  /** Resolves once everything counted so far is written (or has failed and is kept for the next write). */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  /** Stored ON/OFF counts of `featureKey` over every minute that overlaps [from, to). */
  async window(featureKey: string, from: Date, to: Date): Promise<ServedCounts> {
    const fromMinute = Math.floor(from.getTime() / MINUTE_MS);
    const toMinute = Math.max(fromMinute, Math.ceil(to.getTime() / MINUTE_MS));
    const rows: { on: string; off: string }[] = await this.dataSource.query(
      `SELECT coalesce(sum(served_on), 0)::text AS on, coalesce(sum(served_off), 0)::text AS off
       FROM evaluation_minutes WHERE feature_key = $1 AND minute >= $2 AND minute < $3`,
      [featureKey, new Date(fromMinute * MINUTE_MS), new Date(toMinute * MINUTE_MS)],
    );
    return { on: Number(rows[0]?.on ?? 0), off: Number(rows[0]?.off ?? 0) };
  }

  private async write(): Promise<void> {
    if (this.tally.isEmpty) return;
    const rows = this.tally.take();
    this.inFlight = true;
    try {
      await this.dataSource.query(EVALUATION_UPSERT_SQL, [
        rows.map((row) => row.featureKey),
        rows.map((row) => new Date(row.minute * MINUTE_MS).toISOString()),
        rows.map((row) => row.on),
        rows.map((row) => row.off),
      ]);
      if (this.failing) this.logger.log('Evaluation counts are written again');
      this.failing = false;
    } catch (error) {
      this.tally.restore(rows, Date.now());
      if (!this.failing) this.logger.warn({ err: error }, 'Evaluation counts not written; kept for the next write');
      this.failing = true;
    } finally {
      this.inFlight = false;
    }
  }
}
