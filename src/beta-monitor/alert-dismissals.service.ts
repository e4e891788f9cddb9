import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from 'src/audit/audit.service';
import { Actor } from 'src/auth/principal';
import { AlertDismissDto, CheckpointResponseDto } from 'src/beta-monitor/beta-monitor.dto';
import { CheckpointsRepository } from 'src/beta-monitor/checkpoints.repository';
import { AppError } from 'src/http/app-error';

/**
 * Dismissing a checkpoint's alert (docs/beta-monitor.md, ADR 0017): an alert is named by its
 * checkpoint and its code, and dismissing it covers every alert of that code in that checkpoint.
 * The checkpoint keeps the alert (marked dismissed, with who, when and why); a dismissed alert
 * releases its hold and no longer fails the go/no-go. Audited as `alert.dismissed`.
 */
@Injectable()
export class AlertDismissalsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly checkpoints: CheckpointsRepository,
    private readonly audit: AuditService,
  ) {}

  async dismiss(
    actor: Actor,
    key: string,
    checkpointId: string,
    code: string,
    dto: AlertDismissDto,
  ): Promise<CheckpointResponseDto> {
    const checkpoint = await this.checkpoints.findById(key, checkpointId);
    const alerts = checkpoint.alerts.filter((alert) => alert.code === code);
    if (alerts.length === 0)
      throw AppError.notFound('ALERT_NOT_FOUND', `The checkpoint ${checkpoint.label} has no ${code} alert.`);
    if (alerts.some((alert) => alert.dismissed))
      throw new AppError(
        HttpStatus.CONFLICT,
        'ALERT_ALREADY_DISMISSED',
        `The ${code} alert of the checkpoint ${checkpoint.label} is already dismissed.`,
      );
    await this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO beta_monitor_alert_dismissals (checkpoint_id, code, reason, dismissed_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (checkpoint_id, code) DO NOTHING RETURNING code`,
        [checkpoint.id, code, dto.reason, actor.name],
      );
      if (inserted.length === 0)
        throw new AppError(
          HttpStatus.CONFLICT,
          'ALERT_ALREADY_DISMISSED',
          `The ${code} alert of the checkpoint ${checkpoint.label} is already dismissed.`,
        );
      await this.audit.record(manager, actor, {
        action: 'alert.dismissed',
        featureKey: key,
        before: { checkpointId: checkpoint.id, label: checkpoint.label, phase: checkpoint.phase, code, alerts },
        after: { checkpointId: checkpoint.id, code, dismissed: true },
        reason: dto.reason,
      });
    });
    return this.checkpoints.findById(key, checkpoint.id);
  }
}
