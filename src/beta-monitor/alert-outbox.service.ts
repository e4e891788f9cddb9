import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AlertingCheckpoint, alertReason, buildAlertPayload, retryDelayMs, signBody } from 'src/beta-monitor/alerts';
import { CheckpointStatus } from 'src/beta-monitor/checks';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';

type OutboxRow = {
  id: string;
  checkpoint_id: string;
  feature_key: string;
  payload: Record<string, unknown>;
  attempts: number;
};

export type DeliveryResult = Readonly<{ claimed: number; delivered: number; failed: number }>;

const TICK_MS = 1000;
const BATCH = 10;
/** Longer than a whole batch takes (the POSTs run side by side, each at most TIMEOUT_MS). */
const LEASE_SECONDS = 30;
const TIMEOUT_MS = 5000;
const MAX_ERROR_LENGTH = 500;

/**
 * Delivers `alert_outbox` rows to ALERT_WEBHOOK_URL (docs/beta-monitor-checks.md, docs/alerts.md). Every second it
 * claims up to 10 due rows with a 30 s lease (`FOR UPDATE SKIP LOCKED`, one short statement, so
 * several instances never claim one row twice), POSTs them outside any transaction, then marks
 * each delivered (2xx) or schedules its retry (1 s, 2 s, 4 s … at most 5 min apart, forever).
 * Without a webhook URL it claims nothing: rows wait, counted by `backlog()`.
 */
@Injectable()
export class AlertOutboxService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AlertOutbox');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get enabled(): boolean {
    return this.config.alertWebhook.url !== null;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => this.kick(), TICK_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    await this.running;
  }

  /**
   * Queues the checkpoint's webhook alert when it alerts (FAIL, ERROR, a change of status from
   * `previousStatus`: `alertReason`), in the caller's transaction, so a stored checkpoint always
   * has its alert and a lost insert has none. No network I/O here; `kick()` delivers after commit.
   * Written whether or not a webhook is configured: turning it on later delivers the backlog.
   */
  async enqueue(
    manager: EntityManager,
    checkpoint: AlertingCheckpoint,
    previousStatus: CheckpointStatus | null,
  ): Promise<void> {
    const reason = alertReason(checkpoint.status, previousStatus);
    if (reason === null) return;
    await manager.query(
      `INSERT INTO alert_outbox (checkpoint_id, feature_key, payload) VALUES ($1, $2, $3)
       ON CONFLICT (checkpoint_id) DO NOTHING`,
      [checkpoint.id, checkpoint.featureKey, JSON.stringify(buildAlertPayload(checkpoint, previousStatus, reason))],
    );
  }

  /** Runs a delivery round now (e.g. right after an alert was queued); never two at once. */
  kick(): void {
    if (!this.enabled || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.deliverDue();
        } while (this.again && !this.stopped);
      } catch (error) {
        this.logger.warn({ err: error }, 'Alert delivery round failed; retrying on the next tick');
      } finally {
        this.running = null;
      }
    })();
  }

  /** Undelivered alerts (for metrics): growing when the webhook is down or not configured. */
  async backlog(): Promise<number> {
    const [{ count }] = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM alert_outbox WHERE delivered_at IS NULL`,
    );
    return Number(count);
  }

  /** One round: claim due rows under a lease, POST them side by side, record each outcome. */
  async deliverDue(): Promise<DeliveryResult> {
    const url = this.config.alertWebhook.url;
    if (url === null) return { claimed: 0, delivered: 0, failed: 0 };
    // One autocommit statement: the lease is committed before any network I/O starts.
    const result: unknown = await this.dataSource.query(
      `UPDATE alert_outbox SET leased_until = now() + make_interval(secs => $1), attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM alert_outbox
         WHERE delivered_at IS NULL AND next_attempt_at <= now() AND (leased_until IS NULL OR leased_until < now())
         ORDER BY id LIMIT $2
         FOR UPDATE SKIP LOCKED)
       RETURNING id::text AS id, checkpoint_id, feature_key, payload, attempts`,
      [LEASE_SECONDS, BATCH],
    );
    // TypeORM answers an UPDATE … RETURNING on PostgreSQL with [rows, affected count].
    const rows = (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as OutboxRow[];
    const outcomes = await Promise.all(rows.map((row) => this.deliver(url, row)));
    const delivered = outcomes.filter(Boolean).length;
    return { claimed: rows.length, delivered, failed: rows.length - delivered };
  }

  private async deliver(url: string, row: OutboxRow): Promise<boolean> {
    const body = JSON.stringify(row.payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'flagdog-alerts',
      'x-flagdog-delivery': row.id,
    };
    if (this.config.alertWebhook.secret !== null)
      headers['x-flagdog-signature'] = signBody(body, this.config.alertWebhook.secret);
    let failure: string | null = null;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([AbortSignal.timeout(TIMEOUT_MS), this.abort.signal]),
      });
      // Drain the body so the connection is reused; its content does not matter.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) failure = `HTTP ${response.status}`;
    } catch (error) {
      failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    const log = {
      feature_key: row.feature_key,
      checkpoint_id: row.checkpoint_id,
      delivery_id: row.id,
      attempts: row.attempts,
    };
    try {
      if (failure === null) {
        await this.dataSource.query(
          `UPDATE alert_outbox SET delivered_at = now(), leased_until = NULL, last_error = NULL WHERE id = $1 AND delivered_at IS NULL`,
          [row.id],
        );
        this.logger.log(log, 'Alert delivered');
        return true;
      }
      const delayMs = retryDelayMs(row.attempts);
      await this.dataSource.query(
        `UPDATE alert_outbox SET next_attempt_at = now() + make_interval(secs => $2), leased_until = NULL, last_error = $3
         WHERE id = $1 AND delivered_at IS NULL`,
        [row.id, delayMs / 1000, failure.slice(0, MAX_ERROR_LENGTH)],
      );
      this.logger.warn({ ...log, error: failure, retry_in_ms: delayMs }, 'Alert delivery failed; will retry');
    } catch (error) {
      // The lease runs out and the row is claimed again; receivers dedupe on X-Flagdog-Delivery.
      this.logger.warn({ ...log, err: error }, 'Could not record an alert delivery outcome');
    }
    return false;
  }
}
