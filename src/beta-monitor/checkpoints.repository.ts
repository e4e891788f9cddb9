import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CheckpointHealth, CheckpointStatus } from 'src/beta-monitor/checks';
import {
  AlertDto,
  CheckpointListQueryDto,
  CheckpointListResponseDto,
  CheckpointResponseDto,
} from 'src/beta-monitor/beta-monitor.dto';
import { ADVISORY_LOCKS } from 'src/database/advisory-locks';
import { AppError } from 'src/http/app-error';
import { decodeCursor, encodeCursor } from 'src/http/page-query.dto';

export type NewCheckpoint = Omit<CheckpointResponseDto, 'id' | 'createdAt'>;

type CheckpointRow = {
  id: string;
  feature_key: string;
  phase: string | null;
  checkpoint_label: string;
  status: CheckpointStatus;
  health: CheckpointHealth;
  trigger: CheckpointResponseDto['trigger'];
  triggered_by: string;
  window_start: Date;
  window_end: Date;
  config_json: Record<string, unknown> | null;
  metrics_json: Record<string, unknown> | null;
  determinism_json: Record<string, unknown> | null;
  evidence_json: Record<string, unknown> | null;
  alerts_json: AlertDto[];
  error: string | null;
  duration_ms: number;
  created_at: Date;
  /** From DISMISSALS: the checkpoint's dismissed alert codes; absent or null when none. */
  dismissals_json?: { code: string; reason: string; dismissedBy: string; dismissedAt: string }[] | null;
};

/** The checkpoint's dismissed alert codes (`beta_monitor_alert_dismissals`), as one JSON column. */
const DISMISSALS = `(SELECT json_agg(json_build_object('code', d.code, 'reason', d.reason, 'dismissedBy', d.dismissed_by,
    'dismissedAt', d.dismissed_at)) FROM beta_monitor_alert_dismissals d WHERE d.checkpoint_id = beta_monitor_checkpoints.id)
  AS dismissals_json`;

/** `beta_monitor_checkpoints` (only checkpoints), with the column names the runbook's SQL uses. */
@Injectable()
export class CheckpointsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inserts unless the flag already has a checkpoint with this label (null then), inside the
   * caller's transaction. Takes the flag's checkpoint lock first and returns the status of the
   * flag's previous checkpoint with the stored one, so "the previous checkpoint" is exact even
   * with several writers.
   */
  async insertOnce(
    manager: EntityManager,
    checkpoint: NewCheckpoint,
  ): Promise<{ stored: CheckpointResponseDto; previousStatus: CheckpointStatus | null } | null> {
    await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
      ADVISORY_LOCKS.checkpointInsert,
      checkpoint.featureKey,
    ]);
    const previous: { status: CheckpointStatus }[] = await manager.query(
      `SELECT status FROM beta_monitor_checkpoints WHERE feature_key = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
      [checkpoint.featureKey],
    );
    const rows: CheckpointRow[] = await manager.query(
      `INSERT INTO beta_monitor_checkpoints (feature_key, phase, checkpoint_label, status, health, trigger, triggered_by,
         window_start, window_end, config_json, metrics_json, determinism_json, evidence_json, alerts_json, error, duration_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT (feature_key, checkpoint_label) DO NOTHING
       RETURNING *`,
      [
        checkpoint.featureKey,
        checkpoint.phase,
        checkpoint.label,
        checkpoint.status,
        checkpoint.health,
        checkpoint.trigger,
        checkpoint.triggeredBy,
        checkpoint.windowStart,
        checkpoint.windowEnd,
        checkpoint.config,
        checkpoint.metrics,
        checkpoint.determinism,
        checkpoint.evidence,
        JSON.stringify(checkpoint.alerts),
        checkpoint.error,
        checkpoint.durationMs,
      ],
    );
    if (!rows.length) return null;
    return { stored: toView(rows[0]), previousStatus: previous[0]?.status ?? null };
  }

  async exists(key: string, label: string): Promise<boolean> {
    const rows = await this.dataSource.query(
      `SELECT 1 FROM beta_monitor_checkpoints WHERE feature_key = $1 AND checkpoint_label = $2`,
      [key, label],
    );
    return rows.length > 0;
  }

  async findById(key: string, id: string): Promise<CheckpointResponseDto> {
    const rows: CheckpointRow[] = await this.dataSource.query(
      `SELECT *, ${DISMISSALS} FROM beta_monitor_checkpoints WHERE feature_key = $1 AND id = $2`,
      [key, id],
    );
    if (!rows.length) throw AppError.notFound('CHECKPOINT_NOT_FOUND', 'No such checkpoint.');
    return toView(rows[0]);
  }

  async latest(key: string, trigger?: CheckpointResponseDto['trigger']): Promise<CheckpointResponseDto | null> {
    const rows: CheckpointRow[] = await this.dataSource.query(
      `SELECT *, ${DISMISSALS} FROM beta_monitor_checkpoints WHERE feature_key = $1 AND ($2::text IS NULL OR trigger = $2)
       ORDER BY created_at DESC, id DESC LIMIT 1`,
      [key, trigger ?? null],
    );
    return rows.length ? toView(rows[0]) : null;
  }

  /** A phase's checkpoints since its (latest) start, oldest first: what the go/no-go reads. */
  async ofPhase(key: string, phase: string, since: Date): Promise<CheckpointResponseDto[]> {
    const rows: CheckpointRow[] = await this.dataSource.query(
      `SELECT *, ${DISMISSALS} FROM beta_monitor_checkpoints WHERE feature_key = $1 AND phase = $2 AND created_at >= $3 ORDER BY created_at, id`,
      [key, phase, since],
    );
    return rows.map(toView);
  }

  /** The phase's latest checkpoint since its (latest) start that measured (not ERROR): what its holds come from. */
  async latestMeasured(key: string, phase: string, since: Date): Promise<CheckpointResponseDto | null> {
    const rows: CheckpointRow[] = await this.dataSource.query(
      `SELECT *, ${DISMISSALS} FROM beta_monitor_checkpoints
       WHERE feature_key = $1 AND phase = $2 AND created_at >= $3 AND status <> 'ERROR'
       ORDER BY created_at DESC, id DESC LIMIT 1`,
      [key, phase, since],
    );
    return rows.length ? toView(rows[0]) : null;
  }

  /** Newest first, filtered, keyset-paged on (created_at, id). */
  async list(key: string, query: CheckpointListQueryDto): Promise<CheckpointListResponseDto> {
    const after = decodeCursor<string>(query.cursor, 'string');
    const [atCursor, idCursor] = after === null ? [null, null] : after.split('|');
    if (after !== null && (!atCursor || !idCursor || !/^[0-9a-f-]{36}$/.test(idCursor))) {
      throw AppError.validation([{ field: 'cursor', message: 'cursor is not one this API returned' }]);
    }
    const rows: (CheckpointRow & { cursor_at: string })[] = await this.dataSource.query(
      `SELECT *, created_at::text AS cursor_at, ${DISMISSALS} FROM beta_monitor_checkpoints
       WHERE feature_key = $1
         AND ($2::text IS NULL OR status = $2)
         AND ($3::text IS NULL OR phase = $3)
         AND ($4::timestamptz IS NULL OR created_at >= $4)
         AND ($5::timestamptz IS NULL OR created_at < $5)
         AND ($6::timestamptz IS NULL OR (created_at, id) < ($6::timestamptz, $7::uuid))
       ORDER BY created_at DESC, id DESC
       LIMIT $8`,
      [
        key,
        query.status ?? null,
        query.phase ?? null,
        query.since ?? null,
        query.until ?? null,
        atCursor,
        idCursor,
        query.limit + 1,
      ],
    );
    const page = rows.slice(0, query.limit).map(toView);
    const last = rows[query.limit - 1];
    return {
      items: page,
      nextCursor: rows.length > query.limit ? encodeCursor(`${last.cursor_at}|${last.id}`) : null,
    };
  }
}

function toView(row: CheckpointRow): CheckpointResponseDto {
  return {
    id: row.id,
    featureKey: row.feature_key,
    phase: row.phase,
    label: row.checkpoint_label,
    status: row.status,
    health: row.health,
    trigger: row.trigger,
    triggeredBy: row.triggered_by,
    windowStart: new Date(row.window_start).toISOString(),
    windowEnd: new Date(row.window_end).toISOString(),
    alerts: withDismissals(row.alerts_json ?? [], row.dismissals_json ?? []),
    config: row.config_json,
    metrics: row.metrics_json,
    determinism: row.determinism_json,
    evidence: row.evidence_json,
    error: row.error,
    durationMs: row.duration_ms,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Each alert with its dismissal (by code), or `dismissed: null`. */
function withDismissals(alerts: AlertDto[], dismissals: NonNullable<CheckpointRow['dismissals_json']>): AlertDto[] {
  const byCode = new Map(dismissals.map((dismissal) => [dismissal.code, dismissal]));
  return alerts.map((alert) => {
    const dismissal = byCode.get(alert.code);
    return {
      ...alert,
      dismissed: dismissal
        ? {
            reason: dismissal.reason,
            dismissedBy: dismissal.dismissedBy,
            dismissedAt: new Date(dismissal.dismissedAt).toISOString(),
          }
        : null,
    };
  });
}
