import { createHash } from 'node:crypto';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { DataSource } from 'typeorm';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Expired rows are swept every this many increments (one DELETE, never on most logins). */
const SWEEP_EVERY = 200;

/**
 * Login limits counted in PostgreSQL, so every instance sees the same counts: one atomic upsert
 * per limit and attempt (fixed windows; a row whose window ended starts over). Keys are stored
 * as SHA-256 digests: the table holds no emails or addresses.
 */
export class PostgresThrottlerStorage implements ThrottlerStorage {
  private increments = 0;

  constructor(private readonly dataSource: DataSource) {}

  async increment(
    key: string,
    ttlMs: number,
    limit: number,
    blockDurationMs: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const digest = createHash('sha256').update(`${throttlerName}|${key}`, 'utf8').digest('hex');
    const window = Math.max(ttlMs, blockDurationMs);
    const rows: { hits: number; ms: string }[] = await this.dataSource.query(
      `INSERT INTO login_attempts AS a (key, hits, expires_at)
       VALUES ($1, 1, clock_timestamp() + $2 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN a.expires_at <= clock_timestamp() THEN 1 ELSE a.hits + 1 END,
         expires_at = CASE WHEN a.expires_at <= clock_timestamp() THEN EXCLUDED.expires_at ELSE a.expires_at END
       RETURNING hits, ceil(extract(epoch FROM (expires_at - clock_timestamp())) * 1000)::text AS ms`,
      [digest, window],
    );
    if (++this.increments % SWEEP_EVERY === 0) {
      await this.dataSource.query(`DELETE FROM login_attempts WHERE expires_at < clock_timestamp()`);
    }
    const hits = Number(rows[0].hits);
    const seconds = Math.max(1, Math.ceil(Number(rows[0].ms) / 1000));
    const blocked = hits > limit;
    return { totalHits: hits, timeToExpire: seconds, isBlocked: blocked, timeToBlockExpire: blocked ? seconds : 0 };
  }
}
