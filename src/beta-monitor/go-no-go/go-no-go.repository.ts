import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AlertDto } from 'src/beta-monitor/beta-monitor.dto';
import type { ChecklistItem, PhaseCheckpoint, SignedStatus } from 'src/beta-monitor/go-no-go/go-no-go';

type CheckpointRow = {
  id: string;
  checkpoint_label: string;
  trigger: string;
  status: string;
  alerts_json: AlertDto[];
  evidence_json: Record<string, unknown> | null;
  created_at: Date;
};

type ChecklistRow = { item: ChecklistItem; status: SignedStatus; note: string | null; signed_by: string; signed_at: Date };

export type ChecklistSignature = Readonly<{ item: ChecklistItem; status: SignedStatus; note: string | null; signedBy: string; signedAt: Date }>;

/** A phase's checkpoints as the go/no-go reads them, and `beta_monitor_checklist`. */
@Injectable()
export class GoNoGoRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The phase's checkpoints since its (latest) start, oldest first. */
  async phaseCheckpoints(key: string, phase: string, since: Date): Promise<PhaseCheckpoint[]> {
    const rows: CheckpointRow[] = await this.dataSource.query(
      `SELECT id, checkpoint_label, trigger, status, alerts_json, evidence_json, created_at FROM beta_monitor_checkpoints
       WHERE feature_key = $1 AND phase = $2 AND created_at >= $3 ORDER BY created_at, id`,
      [key, phase, since],
    );
    return rows.map((row) => ({
      id: row.id,
      label: row.checkpoint_label,
      trigger: row.trigger,
      status: row.status,
      createdAt: new Date(row.created_at).toISOString(),
      alerts: row.alerts_json ?? [],
      evidence: row.evidence_json,
    }));
  }

  /** The phase's signatures made since its (latest) start: a restarted phase is signed afresh. */
  async signatures(key: string, phase: string, since: Date): Promise<ChecklistSignature[]> {
    const rows: ChecklistRow[] = await this.dataSource.query(
      `SELECT item, status, note, signed_by, signed_at FROM beta_monitor_checklist WHERE feature_key = $1 AND phase = $2 AND signed_at >= $3`,
      [key, phase, since],
    );
    return rows.map(toSignature);
  }

  /** Signs (or re-signs) an item; returns the signature it replaced, if any. */
  async sign(manager: EntityManager, key: string, phase: string, signature: ChecklistSignature): Promise<ChecklistSignature | null> {
    const before: ChecklistRow[] = await manager.query(
      `SELECT item, status, note, signed_by, signed_at FROM beta_monitor_checklist WHERE feature_key = $1 AND phase = $2 AND item = $3 FOR UPDATE`,
      [key, phase, signature.item],
    );
    await manager.query(
      `INSERT INTO beta_monitor_checklist (feature_key, phase, item, status, note, signed_by, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (feature_key, phase, item) DO UPDATE
       SET status = EXCLUDED.status, note = EXCLUDED.note, signed_by = EXCLUDED.signed_by, signed_at = EXCLUDED.signed_at`,
      [key, phase, signature.item, signature.status, signature.note, signature.signedBy, signature.signedAt],
    );
    return before.length ? toSignature(before[0]) : null;
  }
}

function toSignature(row: ChecklistRow): ChecklistSignature {
  return { item: row.item, status: row.status, note: row.note, signedBy: row.signed_by, signedAt: new Date(row.signed_at) };
}
