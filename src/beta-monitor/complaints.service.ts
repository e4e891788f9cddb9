import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from 'src/audit/audit.service';
import { Actor } from 'src/auth/principal';
import { ComplaintCreateDto, ComplaintListResponseDto, ComplaintResponseDto } from 'src/beta-monitor/beta-monitor.dto';
import { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';

type ComplaintRow = {
  id: string;
  feature_key: string;
  subject_id: string;
  severity: 'critical' | 'minor';
  summary: string;
  created_at: Date;
  created_by: string;
};

/** Complaints from beta subjects, recorded by operators; checkpoints weigh them (docs/beta-monitor-checks.md). */
@Injectable()
export class ComplaintsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly flags: FeatureFlagsService,
    private readonly audit: AuditService,
  ) {}

  async record(actor: Actor, key: string, dto: ComplaintCreateDto): Promise<ComplaintResponseDto> {
    await this.flags.get(key);
    return this.dataSource.transaction(async (manager) => {
      const [row]: ComplaintRow[] = await manager.query(
        `INSERT INTO beta_monitor_complaints (feature_key, subject_id, severity, summary, created_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [key, dto.subjectId, dto.severity, dto.summary, actor.name],
      );
      const complaint = toView(row);
      await this.audit.record(manager, actor, { action: 'complaint.recorded', featureKey: key, after: complaint });
      return complaint;
    });
  }

  async list(key: string, since?: Date, until?: Date): Promise<ComplaintListResponseDto> {
    await this.flags.get(key);
    return { items: await this.between(key, since ?? new Date(0), until ?? new Date(8.64e15)) };
  }

  async between(key: string, from: Date, to: Date): Promise<ComplaintResponseDto[]> {
    const rows: ComplaintRow[] = await this.dataSource.query(
      `SELECT * FROM beta_monitor_complaints WHERE feature_key = $1 AND created_at >= $2 AND created_at < $3
       ORDER BY severity = 'critical' DESC, created_at DESC LIMIT 500`,
      [key, from, to],
    );
    return rows.map(toView);
  }
}

function toView(row: ComplaintRow): ComplaintResponseDto {
  return {
    id: row.id,
    featureKey: row.feature_key,
    subjectId: row.subject_id,
    severity: row.severity,
    summary: row.summary,
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
  };
}
