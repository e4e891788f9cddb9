import { subjectIdProblem } from 'src/feature-flags/subject-id';
import { addInto, bucketIndex, emptyHistogram, percentile } from 'src/telemetry/latency-histogram';
import { FLAG_KEY_PATTERN } from 'src/feature-flags/flag-key.pipe';

export const MAX_EVENTS_PER_BATCH = 5000;
export const MINUTE_MS = 60_000;
/** Events older than this are refused (docs/telemetry.md). */
export const MAX_AGE_MS = 24 * 60 * 60_000;
/** Events further in the future than this are refused (clock skew allowance, docs/telemetry.md). */
export const MAX_FUTURE_MS = 5 * 60_000;
export const MAX_ROUTE_LENGTH = 512;

export type TelemetryVariant = 'on' | 'off';

/** One flag's counts for one variant and one minute (a row of `telemetry_minutes`). */
export type TelemetryBucket = {
  featureKey: string;
  variant: TelemetryVariant;
  /** Minutes since the epoch (UTC). */
  minute: number;
  requests: number;
  c2xx: number;
  c3xx: number;
  c4xx: number;
  c5xx: number;
  c401: number;
  c403: number;
  c429: number;
  /** Latency histogram (latency-histogram.ts layout); null until the first HTTP event. */
  latency: number[] | null;
  matchingTotal: number;
  matchingSuccess: number;
  /** Time-to-match histogram of successful matches; null until the first one with a time. */
  ttm: number[] | null;
};

/** HTTP responses of a window by status class, plus the three 4xx codes the monitor watches. */
export type HttpCounts = {
  total: number;
  c2xx: number;
  c3xx: number;
  c4xx: number;
  c5xx: number;
  c401: number;
  c403: number;
  c429: number;
};

export type TelemetryAggregate = {
  http: HttpCounts;
  /** Latency histogram in the HISTOGRAM_BOUNDS_MS layout (all bins). */
  latency: number[];
  latencyP95: number | null;
  matching: { total: number; success: number; ttmP50: number | null; ttmP95: number | null };
};

export type TelemetryWindow = { on: TelemetryAggregate; off: TelemetryAggregate };

/** Why an event was refused: malformed, for no existing flag, or for a flag the sender may not report on. */
export type TelemetryRejectionCode = 'INVALID_EVENT' | 'UNKNOWN_FLAG' | 'FLAG_NOT_ALLOWED';

export type TelemetryRejection = { index: number; code: TelemetryRejectionCode; reason: string };

export type TelemetryRefusal = { code: TelemetryRejectionCode; reason: string };

/** Decides whether events for a well-formed flag key may be counted: null when they may, else why not. */
export type TelemetryFlagGate = (featureKey: string) => TelemetryRefusal | null;

export type TelemetryIngestResult = { accepted: number; rejected: TelemetryRejection[] };

const HTTP_FIELDS = new Set(['type', 'featureKey', 'variant', 'route', 'statusCode', 'latencyMs', 'at']);
const MATCHING_FIELDS = new Set(['type', 'featureKey', 'variant', 'subjectId', 'matched', 'timeToMatchMs', 'at']);
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

type Item = Record<string, unknown>;

/**
 * Telemetry intake in memory (docs/telemetry.md): validates each event on its own and adds it to the
 * per-minute bucket of its flag and variant. It holds the events of the requests waiting for
 * one group commit (TelemetryCommitter); its size is bounded by those requests. No I/O here.
 */
export class TelemetryAggregator {
  /** featureKey → (minute × 2 + variant) → bucket. */
  private buckets = new Map<string, Map<number, TelemetryBucket>>();
  private size = 0;
  private events = 0;

  /**
   * Validates and counts a batch; `now` is the receive time (ms), also the time of events
   * without `at`; `gate` refuses well-formed events for flags that may not be counted.
   */
  ingest(events: readonly unknown[], now = Date.now(), gate: TelemetryFlagGate = () => null): TelemetryIngestResult {
    const rejected: TelemetryRejection[] = [];
    let accepted = 0;
    for (let index = 0; index < events.length; index++) {
      const refusal = this.add(events[index], now, gate);
      if (refusal === null) accepted += 1;
      else if (typeof refusal === 'string') rejected.push({ index, code: 'INVALID_EVENT', reason: refusal });
      else rejected.push({ index, ...refusal });
    }
    this.events += accepted;
    return { accepted, rejected };
  }

  get bucketCount(): number {
    return this.size;
  }

  /** Events counted into the buckets held. */
  get eventCount(): number {
    return this.events;
  }

  /** Removes and returns every bucket held (to be written). */
  take(): TelemetryBucket[] {
    const taken: TelemetryBucket[] = [];
    for (const perFlag of this.buckets.values()) for (const bucket of perFlag.values()) taken.push(bucket);
    this.buckets = new Map();
    this.size = 0;
    this.events = 0;
    return taken;
  }

  /** Null when counted, else why the event is refused (a string: the event is malformed). */
  private add(raw: unknown, now: number, gate: TelemetryFlagGate): string | TelemetryRefusal | null {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'the event must be a JSON object';
    const item = raw as Item;
    const type = item.type;
    const fields = type === 'http' ? HTTP_FIELDS : type === 'matching' ? MATCHING_FIELDS : null;
    if (fields === null) return 'type must be "http" or "matching"';
    for (const field in item)
      if (!fields.has(field)) return `unknown field "${field}" (${type} events have: ${[...fields].join(', ')})`;
    const featureKey = item.featureKey;
    if (typeof featureKey !== 'string' || !FLAG_KEY_PATTERN.test(featureKey)) {
      return 'featureKey must match ^[a-z][a-z0-9_]{2,63}$';
    }
    const refusal = gate(featureKey);
    if (refusal !== null) return refusal;
    const variant = item.variant;
    if (variant !== 'on' && variant !== 'off') return 'variant must be "on" or "off"';
    const at = timeOf(item.at, now);
    if (typeof at === 'string') return at;
    return type === 'http'
      ? this.addHttp(item, featureKey, variant, at)
      : this.addMatching(item, featureKey, variant, at);
  }

  private addHttp(item: Item, featureKey: string, variant: TelemetryVariant, at: number): string | null {
    const route = item.route;
    if (typeof route !== 'string' || route.length === 0 || route.length > MAX_ROUTE_LENGTH) {
      return `route must be a string of 1–${MAX_ROUTE_LENGTH} characters`;
    }
    const status = item.statusCode;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
      return 'statusCode must be an integer from 100 to 599';
    }
    const latency = item.latencyMs;
    if (typeof latency !== 'number' || !(latency >= 0) || latency === Infinity) return 'latencyMs must be a number ≥ 0';
    const bucket = this.bucketFor(featureKey, variant, Math.floor(at / MINUTE_MS));
    bucket.requests += 1;
    if (status >= 500) bucket.c5xx += 1;
    else if (status >= 400) {
      bucket.c4xx += 1;
      if (status === 401) bucket.c401 += 1;
      else if (status === 403) bucket.c403 += 1;
      else if (status === 429) bucket.c429 += 1;
    } else if (status >= 300) bucket.c3xx += 1;
    else if (status >= 200) bucket.c2xx += 1;
    (bucket.latency ??= emptyHistogram())[bucketIndex(latency)] += 1;
    return null;
  }

  private addMatching(item: Item, featureKey: string, variant: TelemetryVariant, at: number): string | null {
    if (item.subjectId !== undefined) {
      const problem = subjectIdProblem(item.subjectId);
      if (problem !== null) return `subjectId ${problem}`;
    }
    const matched = item.matched;
    if (typeof matched !== 'boolean') return 'matched must be a boolean';
    const ttm = item.timeToMatchMs;
    if (ttm !== undefined && (typeof ttm !== 'number' || !(ttm >= 0) || ttm === Infinity)) {
      return 'timeToMatchMs must be a number ≥ 0 (or left out)';
    }
    const bucket = this.bucketFor(featureKey, variant, Math.floor(at / MINUTE_MS));
    bucket.matchingTotal += 1;
    if (matched) {
      bucket.matchingSuccess += 1;
      // Time-to-match describes successful matches only; a failed attempt's duration is not one.
      if (ttm !== undefined) (bucket.ttm ??= emptyHistogram())[bucketIndex(ttm)] += 1;
    }
    return null;
  }

  /** The bucket, created when absent. */
  private bucketFor(featureKey: string, variant: TelemetryVariant, minute: number): TelemetryBucket {
    let perFlag = this.buckets.get(featureKey);
    if (perFlag === undefined) {
      perFlag = new Map();
      this.buckets.set(featureKey, perFlag);
    }
    const slot = minute * 2 + (variant === 'on' ? 1 : 0);
    let bucket = perFlag.get(slot);
    if (bucket === undefined) {
      bucket = blankBucket(featureKey, variant, minute);
      perFlag.set(slot, bucket);
      this.size += 1;
    }
    return bucket;
  }
}

/** The event's time in ms: `at` when given and within [now − 24 h, now + 5 min], else a reason. */
function timeOf(at: unknown, now: number): number | string {
  if (at === undefined) return now;
  const time = typeof at === 'string' && ISO_TIMESTAMP.test(at) ? Date.parse(at) : NaN;
  if (Number.isNaN(time))
    return 'at must be an ISO-8601 timestamp with a time zone, e.g. 2026-02-01T06:00:00Z (or left out)';
  if (time < now - MAX_AGE_MS) return 'at is more than 24 h in the past';
  if (time > now + MAX_FUTURE_MS) return 'at is more than 5 min in the future';
  return time;
}

export function blankBucket(featureKey: string, variant: TelemetryVariant, minute: number): TelemetryBucket {
  return {
    featureKey,
    variant,
    minute,
    requests: 0,
    c2xx: 0,
    c3xx: 0,
    c4xx: 0,
    c5xx: 0,
    c401: 0,
    c403: 0,
    c429: 0,
    latency: null,
    matchingTotal: 0,
    matchingSuccess: 0,
    ttm: null,
  };
}

/** What a checkpoint reads: counts, the full latency histogram and the percentiles. */
export function toAggregate(bucket: TelemetryBucket): TelemetryAggregate {
  const latency = addInto(emptyHistogram(), bucket.latency ?? []);
  const ttm = bucket.ttm ?? [];
  return {
    http: {
      total: bucket.requests,
      c2xx: bucket.c2xx,
      c3xx: bucket.c3xx,
      c4xx: bucket.c4xx,
      c5xx: bucket.c5xx,
      c401: bucket.c401,
      c403: bucket.c403,
      c429: bucket.c429,
    },
    latency,
    latencyP95: percentile(latency, 0.95),
    matching: {
      total: bucket.matchingTotal,
      success: bucket.matchingSuccess,
      ttmP50: percentile(ttm, 0.5),
      ttmP95: percentile(ttm, 0.95),
    },
  };
}
