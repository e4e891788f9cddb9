import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { trimmed } from 'src/telemetry/latency-histogram';
import { blankBucket, MINUTE_MS, TelemetryBucket, TelemetryVariant } from 'src/telemetry/telemetry-aggregator';

/** The element-wise sum of two bigint[] histograms of any lengths (missing bins count 0). */
const sumArrays = (column: string) =>
  `ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0) FROM unnest(t.${column}, EXCLUDED.${column}) WITH ORDINALITY AS u(a, b, i) ORDER BY i)`;

const COUNTERS = [
  'requests',
  'c2xx',
  'c3xx',
  'c4xx',
  'c5xx',
  'c401',
  'c403',
  'c429',
  'matching_total',
  'matching_success',
] as const;

/**
 * One statement per flush, whatever the number of buckets: the columns arrive as parallel arrays
 * and are zipped by unnest; a minute another instance (or an earlier flush) already wrote is
 * added to, never overwritten, so several instances sum up correctly.
 */
export const UPSERT_SQL = `
INSERT INTO telemetry_minutes AS t
  (feature_key, variant, minute, ${COUNTERS.join(', ')}, latency, ttm)
SELECT feature_key, variant, minute, ${COUNTERS.join(', ')}, latency::bigint[], ttm::bigint[]
FROM unnest($1::text[], $2::text[], $3::timestamptz[],
            $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[],
            $12::bigint[], $13::bigint[], $14::text[], $15::text[])
  AS u(feature_key, variant, minute, ${COUNTERS.join(', ')}, latency, ttm)
ON CONFLICT (feature_key, minute, variant) DO UPDATE SET
  ${COUNTERS.map((column) => `${column} = t.${column} + EXCLUDED.${column}`).join(',\n  ')},
  latency = ${sumArrays('latency')},
  ttm = ${sumArrays('ttm')}`;

/** Sums of the stored minutes of one flag in a window, per variant; histograms summed bin by bin. */
export const WINDOW_SQL = `
WITH picked AS (
  SELECT * FROM telemetry_minutes WHERE feature_key = $1 AND minute >= $2 AND minute < $3
), totals AS (
  SELECT variant, ${COUNTERS.map((column) => `sum(${column})::text AS ${column}`).join(', ')} FROM picked GROUP BY variant
), latency AS (
  SELECT variant, array_agg(total::text ORDER BY i) AS bins
  FROM (SELECT variant, i, sum(v) AS total FROM picked, unnest(picked.latency) WITH ORDINALITY AS u(v, i) GROUP BY variant, i) s
  GROUP BY variant
), ttm AS (
  SELECT variant, array_agg(total::text ORDER BY i) AS bins
  FROM (SELECT variant, i, sum(v) AS total FROM picked, unnest(picked.ttm) WITH ORDINALITY AS u(v, i) GROUP BY variant, i) s
  GROUP BY variant
)
SELECT totals.*, latency.bins AS latency, ttm.bins AS ttm
FROM totals LEFT JOIN latency USING (variant) LEFT JOIN ttm USING (variant)`;

const HOUR_MS = 3_600_000;

/** The same sums per clock hour (in UTC) (counters only), for the tests over a whole phase. */
export const HOURLY_SQL = `
SELECT variant, floor(extract(epoch FROM minute) / 3600)::text AS hour,
  sum(requests)::text AS requests, sum(c5xx)::text AS c5xx,
  sum(matching_total)::text AS matching_total, sum(matching_success)::text AS matching_success
FROM telemetry_minutes WHERE feature_key = $1 AND minute >= $2 AND minute < $3
GROUP BY variant, hour ORDER BY hour`;

/** One variant's counters in one clock hour. */
export type HourlyCounts = Readonly<{
  variant: TelemetryVariant;
  hour: Date;
  requests: number;
  c5xx: number;
  matchingTotal: number;
  matchingSuccess: number;
}>;

type WindowRow = Record<(typeof COUNTERS)[number], string> & {
  variant: TelemetryVariant;
  latency: string[] | null;
  ttm: string[] | null;
};

const histogramLiteral = (counts: number[] | null): string =>
  counts === null ? '{}' : `{${trimmed(counts).join(',')}}`;

/** The `telemetry_minutes` table: additive writes of minute buckets, and window sums. */
@Injectable()
export class TelemetryMinutesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Adds the buckets to the stored minutes in one statement (all or nothing). */
  async addBuckets(buckets: readonly TelemetryBucket[]): Promise<void> {
    if (buckets.length === 0) return;
    await this.dataSource.query(UPSERT_SQL, upsertParameters(buckets));
  }

  /** Stored sums for `featureKey` over minutes [fromMinute, toMinute), per variant (zeros when none). */
  async sumWindow(
    featureKey: string,
    fromMinute: number,
    toMinute: number,
  ): Promise<Record<TelemetryVariant, TelemetryBucket>> {
    const rows: WindowRow[] = await this.dataSource.query(WINDOW_SQL, [
      featureKey,
      new Date(fromMinute * MINUTE_MS),
      new Date(toMinute * MINUTE_MS),
    ]);
    const result = { on: blankBucket(featureKey, 'on', fromMinute), off: blankBucket(featureKey, 'off', fromMinute) };
    for (const row of rows) {
      const bucket = result[row.variant];
      bucket.requests = Number(row.requests);
      bucket.c2xx = Number(row.c2xx);
      bucket.c3xx = Number(row.c3xx);
      bucket.c4xx = Number(row.c4xx);
      bucket.c5xx = Number(row.c5xx);
      bucket.c401 = Number(row.c401);
      bucket.c403 = Number(row.c403);
      bucket.c429 = Number(row.c429);
      bucket.matchingTotal = Number(row.matching_total);
      bucket.matchingSuccess = Number(row.matching_success);
      bucket.latency = row.latency?.map(Number) ?? null;
      bucket.ttm = row.ttm?.map(Number) ?? null;
    }
    return result;
  }

  /** The start of the latest stored minute of `featureKey` before `before` (any variant), null when none. */
  async lastMinute(featureKey: string, before: Date): Promise<Date | null> {
    const rows: { last: Date | string | null }[] = await this.dataSource.query(
      `SELECT max(minute) AS last FROM telemetry_minutes WHERE feature_key = $1 AND minute < $2`,
      [featureKey, before],
    );
    const last = rows[0]?.last ?? null;
    return last === null ? null : new Date(last);
  }

  /** Stored counters for `featureKey` over minutes [fromMinute, toMinute), per clock hour and variant, oldest first. */
  async sumByHour(featureKey: string, fromMinute: number, toMinute: number): Promise<HourlyCounts[]> {
    const rows: {
      variant: TelemetryVariant;
      hour: string;
      requests: string;
      c5xx: string;
      matching_total: string;
      matching_success: string;
    }[] = await this.dataSource.query(HOURLY_SQL, [
      featureKey,
      new Date(fromMinute * MINUTE_MS),
      new Date(toMinute * MINUTE_MS),
    ]);
    return rows.map((row) => ({
      variant: row.variant,
      hour: new Date(Number(row.hour) * HOUR_MS),
      requests: Number(row.requests),
      c5xx: Number(row.c5xx),
      matchingTotal: Number(row.matching_total),
      matchingSuccess: Number(row.matching_success),
    }));
  }
}

export function upsertParameters(buckets: readonly TelemetryBucket[]): unknown[] {
  const columns: unknown[][] = Array.from({ length: 15 }, () => new Array<unknown>(buckets.length));
  for (let row = 0; row < buckets.length; row++) {
    const b = buckets[row];
    const values = [
      b.featureKey,
      b.variant,
      new Date(b.minute * MINUTE_MS).toISOString(),
      b.requests,
      b.c2xx,
      b.c3xx,
      b.c4xx,
      b.c5xx,
      b.c401,
      b.c403,
      b.c429,
      b.matchingTotal,
      b.matchingSuccess,
      histogramLiteral(b.latency),
      histogramLiteral(b.ttm),
    ];
    for (let column = 0; column < values.length; column++) columns[column][row] = values[column];
  }
  return columns;
}
