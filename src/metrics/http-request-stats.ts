/**
 * HTTP requests counted in plain memory on the request path (an array increment per
 * response) and turned into Prometheus series only when /metrics is scraped.
 */
export const HTTP_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

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
          result.push({ method, route: stats.route, status, count: counts.count, sumSeconds: counts.sumSeconds, cumulative });
        }
      }
    }
    return result;
  }
}
