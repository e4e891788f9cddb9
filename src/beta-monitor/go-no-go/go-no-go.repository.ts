import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { ChecklistItem, SignedStatus } from 'src/beta-monitor/go-no-go/go-no-go';

type ChecklistRow = {
  item: ChecklistItem;
  status: SignedStatus;
  note: string | null;
  signed_by: string;
  signed_at: Date;
};

export type ChecklistSignature = Readonly<{
  item: ChecklistItem;
  status: SignedStatus;
  note: string | null;
  signedBy: string;
  signedAt: Date;
}>;

/** `beta_monitor_checklist`: the signed manual items of a phase's go/no-go. */
@Injectable()
export class GoNoGoRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The phase's signatures made since its (latest) start: a restarted phase is signed afresh. */
  async signatures(key: string, phase: string, since: Date): Promise<ChecklistSignature[]> {
    const rows: ChecklistRow[] = await this.dataSource.query(
      `SELECT item, status, note, signed_by, signed_at FROM beta_monitor_checklist WHERE feature_key = $1 AND phase = $2 AND signed_at >= $3`,
      [key, phase, since],
    );
    return rows.map(toSignature);
  }

  /** Signs (or re-signs) an item; returns the signature it replaced, if any. */
  async sign(
    manager: EntityManager,
    key: string,
    phase: string,
    signature: ChecklistSignature,
  ): Promise<ChecklistSignature | null> {
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
  return {
    item: row.item,
    status: row.status,
    note: row.note,
    signedBy: row.signed_by,
    signedAt: new Date(row.signed_at),
  };
}
