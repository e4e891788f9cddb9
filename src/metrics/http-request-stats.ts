import type { Metric } from 'prom-client';

/**
 * HTTP requests counted in plain memory on the request path (an array increment per
 * response) and turned into Prometheus series only when /metrics is scraped.
 */
export const HTTP_DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

export type HttpRequestSample = Readonly<{
  method: string;
  route: string;
  status: number;
  count: number;
  sumSeconds: number;
  /** Cumulative counts per bucket of HTTP_DURATION_BUCKETS (`le`), then +Inf. */
  cumulative: readonly number[];
}>;

class StatusCounts {
  count = 0;
  sumSeconds = 0;
  /** Non-cumulative: requests per bucket, the last one above the largest bound. */
  readonly perBucket = new Float64Array(HTTP_DURATION_BUCKETS.length + 1);

  add(seconds: number): void {
    this.count++;
    this.sumSeconds += seconds;
    let bucket = 0;
    while (bucket < HTTP_DURATION_BUCKETS.length && seconds > HTTP_DURATION_BUCKETS[bucket]) bucket++;
    this.perBucket[bucket]++;
  }
}

/** The counts of one route template, by method and status. */
export class RouteRequestStats {
  /** method → status → counts (no key is built per request). */
  readonly counts = new Map<string, Map<number, StatusCounts>>();

  constructor(readonly route: string) {}

  record(method: string, status: number, elapsedMs: number): void {
    let byStatus = this.counts.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.counts.set(method, byStatus);
    }
    let counts = byStatus.get(status);
    if (counts === undefined) {
      counts = new StatusCounts();
      byStatus.set(status, counts);
    }
    counts.add(elapsedMs / 1000);
  }
}

export class HttpRequestStats {
  private readonly routes = new Map<string, RouteRequestStats>();

  /** The holder of one route template's counts; routes ask once, when they are registered. */
  forRoute(route: string): RouteRequestStats {
    let stats = this.routes.get(route);
    if (stats === undefined) {
      stats = new RouteRequestStats(route);
      this.routes.set(route, stats);
    }
    return stats;
  }

  samples(): HttpRequestSample[] {
    const result: HttpRequestSample[] = [];
    for (const stats of this.routes.values()) {
      for (const [method, byStatus] of stats.counts) {
        for (const [status, counts] of byStatus) {
          let running = 0;
          const cumulative = Array.from(counts.perBucket, (count) => (running += count));
          result.push({
            method,
            route: stats.route,
            status,
            count: counts.count,
            sumSeconds: counts.sumSeconds,
            cumulative,
          });
        }
      }
    }
    return result;
  }
}

type Sample = Readonly<{
  value: number;
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string | number>;
  metricName?: string;
}>;

/** A metric family prom-client's registry reads at scrape time: only `get()` is called. */
function scrapeTimeMetric(name: string, help: string, type: 'counter' | 'histogram', values: () => Sample[]): Metric {
  const describe = { name, help, type, aggregator: 'sum' as const };
  return { ...describe, get: async () => ({ ...describe, values: values() }) } as unknown as Metric;
}

/**
 * `flagdog_http_requests_total` and `flagdog_http_request_duration_seconds`, built from the
 * counts when /metrics is scraped, in the shape prom-client's own counter and histogram print.
 */
export function httpRequestMetrics(stats: HttpRequestStats): Metric[] {
  const duration = 'flagdog_http_request_duration_seconds';
  return [
    scrapeTimeMetric(
      'flagdog_http_requests_total',
      'HTTP requests answered, by method, route template and status code.',
      'counter',
      () =>
        stats
          .samples()
          .map(({ method, route, status, count }) => ({ labels: { method, route, status }, value: count })),
    ),
    scrapeTimeMetric(
      duration,
      'Time from receiving a request to sending the whole response, by method, route template and status code.',
      'histogram',
      () =>
        stats.samples().flatMap(({ method, route, status, count, sumSeconds, cumulative }): Sample[] => {
          const sharedLabels = { method, route, status };
          return [
            ...HTTP_DURATION_BUCKETS.map((le, i) => ({
              metricName: `${duration}_bucket`,
              labels: { le },
              sharedLabels,
              value: cumulative[i],
            })),
            { metricName: `${duration}_bucket`, labels: { le: '+Inf' }, sharedLabels, value: count },
            { metricName: `${duration}_sum`, labels: {}, sharedLabels, value: sumSeconds },
            { metricName: `${duration}_count`, labels: {}, sharedLabels, value: count },
          ];
        }),
    ),
  ];
}
