import { bucketIndex, HISTOGRAM_BOUNDS_MS } from 'src/telemetry/latency-histogram';
import {
  MAX_EVENTS_PER_BATCH,
  TelemetryAggregator,
  TelemetryBucket,
  TelemetryFlagGate,
  toAggregate,
} from 'src/telemetry/telemetry-aggregator';

const NOW = Date.parse('2026-02-01T06:30:20Z');
const MINUTE = Math.floor(NOW / 60_000);
const http = (overrides: Record<string, unknown> = {}) => ({
  type: 'http',
  featureKey: 'passenger_favorites_matching',
  variant: 'on',
  route: '/api/matching/favorites',
  statusCode: 200,
  latencyMs: 42,
  ...overrides,
});
const matching = (overrides: Record<string, unknown> = {}) => ({
  type: 'matching',
  featureKey: 'passenger_favorites_matching',
  variant: 'on',
  subjectId: 'pass_beta_001_2026',
  matched: true,
  timeToMatchMs: 8000,
  ...overrides,
});

/** The bucket taken for a flag, variant and minute (the aggregator's own minute when none is given). */
function bucketIn(
  taken: TelemetryBucket[],
  variant: 'on' | 'off',
  minute = MINUTE,
  featureKey = 'passenger_favorites_matching',
): TelemetryBucket | undefined {
  return taken.find(
    (bucket) => bucket.featureKey === featureKey && bucket.variant === variant && bucket.minute === minute,
  );
}

describe('TelemetryAggregator', () => {
  it('counts HTTP events per flag, variant and minute, by status class and 401/403/429', () => {
    const aggregator = new TelemetryAggregator();
    const statuses = [200, 204, 301, 400, 401, 403, 404, 429, 500, 503, 101];
    const result = aggregator.ingest(
      statuses.map((statusCode) => http({ statusCode })),
      NOW,
    );
    expect(result).toEqual({ accepted: 11, rejected: [] });
    aggregator.ingest([http({ variant: 'off', latencyMs: 900 }), http({ featureKey: 'other_flag' })], NOW);
    expect(aggregator).toMatchObject({ bucketCount: 3, eventCount: 13 });
    const taken = aggregator.take();
    expect(aggregator).toMatchObject({ bucketCount: 0, eventCount: 0 });
    const [on, off] = [bucketIn(taken, 'on')!, bucketIn(taken, 'off')!];
    expect(on).toMatchObject({ requests: 11, c2xx: 2, c3xx: 1, c4xx: 5, c5xx: 2, c401: 1, c403: 1, c429: 1 });
    expect(on.latency![bucketIndex(42)]).toBe(11);
    expect(off).toMatchObject({ requests: 1, c2xx: 1 });
    expect(toAggregate(off).latencyP95).toBeGreaterThan(HISTOGRAM_BOUNDS_MS[bucketIndex(900) - 1]);
    expect(bucketIn(taken, 'on', MINUTE, 'other_flag')).toMatchObject({ requests: 1 });
  });

  it('places events by their own time, and the receive time when they have none', () => {
    const aggregator = new TelemetryAggregator();
    aggregator.ingest(
      [http({ at: '2026-02-01T05:31:59.999Z' }), http({ at: '2026-02-01T07:31:00+01:00' }), http()],
      NOW,
    );
    const taken = aggregator.take();
    expect(taken.map((bucket) => [bucket.minute - MINUTE, bucket.requests]).sort((a, b) => a[0] - b[0])).toEqual([
      [-59, 1],
      [0, 1],
      [1, 1],
    ]);
  });

  it('counts matching outcomes, and time-to-match of successful matches only', () => {
    const aggregator = new TelemetryAggregator();
    aggregator.ingest(
      [
        matching(),
        matching({ timeToMatchMs: 12_000 }),
        matching({ matched: false, timeToMatchMs: 60_000 }),
        matching({ subjectId: undefined, timeToMatchMs: undefined }),
      ],
      NOW,
    );
    const aggregate = toAggregate(bucketIn(aggregator.take(), 'on')!);
    expect(aggregate.matching.total).toBe(4);
    expect(aggregate.matching.success).toBe(3);
    expect(aggregate.matching.ttmP50).toBeGreaterThan(8000 / 2 ** 0.25);
    expect(aggregate.matching.ttmP50).toBeLessThanOrEqual(HISTOGRAM_BOUNDS_MS[bucketIndex(8000)]);
    expect(aggregate.matching.ttmP95).toBeLessThanOrEqual(HISTOGRAM_BOUNDS_MS[bucketIndex(12_000)]);
    expect(aggregate.http.total).toBe(0);
    expect(aggregate.latencyP95).toBeNull();
    expect(aggregate.latency).toHaveLength(66);
  });

  it('rejects each bad event with its index and reason, and accepts the rest', () => {
    const aggregator = new TelemetryAggregator();
    const events = [
      http(),
      null,
      'http',
      http({ type: 'trace' }),
      http({ featureKey: 'Bad-Key' }),
      http({ variant: 'treatment' }),
      http({ route: '' }),
      http({ statusCode: 200.5 }),
      http({ statusCode: 99 }),
      http({ latencyMs: -1 }),
      http({ latencyMs: '12' }),
      http({ extra: true }),
      http({ at: '2026-02-01 06:00:00' }),
      http({ at: '2026-02-01T06:00:00' }),
      http({ at: null }),
      http({ at: '2026-01-31T06:30:19Z' }),
      http({ at: '2026-02-01T06:35:21Z' }),
      matching({ matched: 'yes' }),
      matching({ subjectId: '' }),
      matching({ timeToMatchMs: -3 }),
      matching({ statusCode: 200 }),
      matching({ at: '2026-01-31T06:30:21Z' }),
    ];
    const result = aggregator.ingest(events, NOW);
    expect(result.accepted).toBe(2);
    expect(new Set(result.rejected.map(({ code }) => code))).toEqual(new Set(['INVALID_EVENT']));
    expect(result.rejected.map(({ index }) => index)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const reasons = Object.fromEntries(result.rejected.map(({ index, reason }) => [index, reason]));
    expect(reasons).toMatchObject({
      1: 'the event must be a JSON object',
      3: 'type must be "http" or "matching"',
      4: expect.stringMatching(/^featureKey must match/),
      5: 'variant must be "on" or "off"',
      6: expect.stringMatching(/^route/),
      7: expect.stringMatching(/^statusCode/),
      9: 'latencyMs must be a number ≥ 0',
      11: 'unknown field "extra" (http events have: type, featureKey, variant, route, statusCode, latencyMs, at)',
      12: expect.stringMatching(/^at must be an ISO-8601 timestamp/),
      13: expect.stringMatching(/^at must be an ISO-8601 timestamp/),
      15: 'at is more than 24 h in the past',
      16: 'at is more than 5 min in the future',
      17: 'matched must be a boolean',
      18: 'subjectId must not be empty',
      19: expect.stringMatching(/^timeToMatchMs/),
      20: expect.stringMatching(/^unknown field "statusCode" \(matching events have: /),
    });
    const taken = aggregator.take();
    expect(bucketIn(taken, 'on')).toMatchObject({ requests: 1, matchingTotal: 0 });
    expect(bucketIn(taken, 'on', MINUTE - 1440)).toMatchObject({ requests: 0, matchingTotal: 1 });
  });

  it('asks the gate about each well-formed event, and refuses what it refuses with its code', () => {
    const asked: string[] = [];
    const gate: TelemetryFlagGate = (featureKey) => {
      asked.push(featureKey);
      if (featureKey === 'made_up_flag') return { code: 'UNKNOWN_FLAG', reason: 'no flag has the key made_up_flag' };
      if (featureKey === 'someone_elses_flag') return { code: 'FLAG_NOT_ALLOWED', reason: 'not yours' };
      return null;
    };
    const aggregator = new TelemetryAggregator();
    const result = aggregator.ingest(
      [
        http(),
        http({ featureKey: 'made_up_flag' }),
        matching({ featureKey: 'someone_elses_flag' }),
        http({ featureKey: 'Bad-Key' }),
        matching(),
      ],
      NOW,
      gate,
    );
    expect(result).toEqual({
      accepted: 2,
      rejected: [
        { index: 1, code: 'UNKNOWN_FLAG', reason: 'no flag has the key made_up_flag' },
        { index: 2, code: 'FLAG_NOT_ALLOWED', reason: 'not yours' },
        { index: 3, code: 'INVALID_EVENT', reason: expect.stringMatching(/^featureKey must match/) },
      ],
    });
    expect(asked).toEqual([
      'passenger_favorites_matching',
      'made_up_flag',
      'someone_elses_flag',
      'passenger_favorites_matching',
    ]);
    const taken = aggregator.take();
    expect(taken.map((bucket) => bucket.featureKey)).toEqual(['passenger_favorites_matching']);
    expect(taken[0]).toMatchObject({ requests: 1, matchingTotal: 1 });
  });

  it('accepts a full batch of 5,000 mixed events', () => {
    const aggregator = new TelemetryAggregator();
    const events = Array.from({ length: MAX_EVENTS_PER_BATCH }, (_, i) =>
      i % 5 === 0
        ? matching({ subjectId: `pass_${i}` })
        : http({ statusCode: i % 50 === 0 ? 500 : 200, latencyMs: i % 997 }),
    );
    expect(aggregator.ingest(events, NOW)).toEqual({ accepted: MAX_EVENTS_PER_BATCH, rejected: [] });
  });
});
