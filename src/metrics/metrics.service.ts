import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { AlertOutboxService } from 'src/beta-monitor/alert-outbox.service';
import { CHECKPOINT_STATUSES } from 'src/beta-monitor/checks';
import { CheckpointsService } from 'src/beta-monitor/checkpoints.service';
import { TelemetryService } from 'src/telemetry/telemetry.service';
import { ChangeFeedService } from 'src/change-feed/change-feed.service';
import { FlagRequestCounter, UNKNOWN_FLAG_KEY } from 'src/feature-flags/flag-request-counter';
import { FlagSnapshotService } from 'src/feature-flags/flag-snapshot.service';
import { httpRequestMetrics, HttpRequestStats, RouteRequestStats } from 'src/metrics/http-request-stats';
import { DatabaseFigures, TtlCache, UNMATCHED_ROUTE } from 'src/metrics/metrics';

/** How long figures read from the database are reused, so frequent scrapes cost one query round. */
export const DATABASE_FIGURES_TTL_MS = 10_000;

/**
 * Prometheus metrics (docs/adr/0007-metrics.md), one registry per app instance. Nothing here runs on the
 * evaluation path: evaluations are counted by FlagRequestCounter (a map increment) and copied
 * into the registry by `collect()` callbacks when /metrics is scraped; HTTP requests are
 * counted the same way (HttpRequestStats, fed from each route's onResponse hook) and turned
 * into the request counter and duration histogram at scrape time.
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  private readonly logger = new Logger(MetricsService.name);
  readonly registry = new Registry();
  readonly http = new HttpRequestStats();
  private readonly databaseFigures: TtlCache<DatabaseFigures>;

  constructor(
    counter: FlagRequestCounter,
    telemetry: TelemetryService,
    feed: ChangeFeedService,
    private readonly checkpoints: CheckpointsService,
    private readonly outbox: AlertOutboxService,
    snapshot: FlagSnapshotService,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'flagdog_' });

    new Counter({
      name: 'flagdog_evaluations_total',
      help: 'Flag evaluations since the process started, by flag and reason (flag "_unknown" for keys that name no flag, "_other" beyond 1000 distinct keys).',
      labelNames: ['flag', 'reason'],
      registers,
      collect() {
        this.reset();
        for (const { key, reason, count } of counter.reasonCounts()) {
          // A flag deleted since it was counted is no longer named either.
          const flag = key.startsWith('_') || snapshot.get(key) !== undefined ? key : UNKNOWN_FLAG_KEY;
          this.inc({ flag, reason }, count);
        }
      },
    });
    for (const metric of httpRequestMetrics(this.http)) this.registry.registerMetric(metric);

    this.databaseFigures = new TtlCache(DATABASE_FIGURES_TTL_MS, () => this.readDatabaseFigures());
    const figures = {
      // A failed first read leaves these gauges out of the scrape instead of failing it.
      get: (): Promise<DatabaseFigures> =>
        this.databaseFigures.get().catch((error: unknown) => {
          this.logger.warn({ err: error }, 'Checkpoint figures unavailable for /metrics');
          return { checkpoints: [], outboxBacklog: null };
        }),
    };
    new Gauge({
      name: 'flagdog_checkpoint_status',
      help: '1 for the status of the latest checkpoint of each flag with a started phase, else 0 (refreshed at most every 10 s).',
      labelNames: ['flag', 'status'],
      registers,
      async collect() {
        this.reset();
        for (const { key, status } of (await figures.get()).checkpoints) {
          for (const candidate of CHECKPOINT_STATUSES)
            this.set({ flag: key, status: candidate }, candidate === status ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'flagdog_alert_outbox_backlog',
      help: 'Alerts in the outbox not yet delivered (refreshed at most every 10 s; absent when unknown).',
      registers,
      async collect() {
        this.reset();
        const backlog = (await figures.get()).outboxBacklog;
        if (backlog !== null) this.set(backlog);
      },
    });

    new Counter({
      name: 'flagdog_telemetry_events_total',
      help: 'Telemetry events received since the process started, by outcome: accepted (stored), invalid, unknown_flag, flag_not_allowed, rate_limited, not_committed (answered 503).',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        for (const [outcome, events] of Object.entries(telemetry.outcomeCounts())) this.inc({ outcome }, events);
      },
    });
    new Counter({
      name: 'flagdog_telemetry_commits_total',
      help: 'Telemetry group commits since the process started, by result (ok, failed).',
      labelNames: ['result'],
      registers,
      collect() {
        this.reset();
        const health = telemetry.health();
        this.inc({ result: 'ok' }, health.commits);
        this.inc({ result: 'failed' }, health.failedCommits);
      },
    });
    new Gauge({
      name: 'flagdog_telemetry_pending_events',
      help: 'Telemetry events counted in memory whose commit (and answer) is still to come.',
      registers,
      collect() {
        this.set(telemetry.health().pendingEvents);
      },
    });
    new Gauge({
      name: 'flagdog_snapshot_revision',
      help: 'The last change-feed id applied to this instance’s flag snapshot.',
      registers,
      collect() {
        this.set(feed.health().revision);
      },
    });
    new Gauge({
      name: 'flagdog_snapshot_stale',
      help: '1 when the last change-feed pull failed (evaluation answers from the last snapshot), else 0.',
      registers,
      collect() {
        this.set(feed.health().lastError === null ? 0 : 1);
      },
    });
  }

  /** The counts of one route template (`route` is never a raw URL: IDs in paths would explode cardinality). */
  forRoute(route: string | undefined): RouteRequestStats {
    return this.http.forRoute(route ?? UNMATCHED_ROUTE);
  }

  async exposition(): Promise<string> {
    return this.registry.metrics();
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }

  private async readDatabaseFigures(): Promise<DatabaseFigures> {
    const checkpoints = await this.checkpoints.latestStatuses();
    let outboxBacklog: number | null = null;
    try {
      outboxBacklog = await this.outbox.backlog();
    } catch (error) {
      this.logger.warn({ err: error }, 'Alert outbox backlog unavailable for /metrics');
    }
    return { checkpoints, outboxBacklog };
  }
}
