import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AuditModule } from 'src/audit/audit.module';
import { AlertDismissalsController } from 'src/beta-monitor/alert-dismissals.controller';
import { AlertDismissalsService } from 'src/beta-monitor/alert-dismissals.service';
import { AlertOutboxService } from 'src/beta-monitor/alert-outbox.service';
import { BetaMonitorController } from 'src/beta-monitor/beta-monitor.controller';
import { BetaMonitorScheduler } from 'src/beta-monitor/beta-monitor.scheduler';
import { BetaMonitorService } from 'src/beta-monitor/beta-monitor.service';
import { CheckpointMeasurementService } from 'src/beta-monitor/checkpoint-measurement.service';
import { CheckpointsRepository } from 'src/beta-monitor/checkpoints.repository';
import { CheckpointsService } from 'src/beta-monitor/checkpoints.service';
import { ComplaintsService } from 'src/beta-monitor/complaints.service';
import { PhasesModule } from 'src/beta-monitor/phases/phases.module';
import { RollbackModule } from 'src/beta-monitor/rollback/rollback.module';
import { FeatureFlagsModule } from 'src/feature-flags/feature-flags.module';
import { TelemetryModule } from 'src/telemetry/telemetry.module';

/** The checkpoint: its schedule, measurement, storage, alert outbox, and the API over them. */
@Module({
  imports: [ScheduleModule.forRoot(), AuditModule, FeatureFlagsModule, TelemetryModule, PhasesModule, RollbackModule],
  controllers: [BetaMonitorController, AlertDismissalsController],
  providers: [
    AlertDismissalsService,
    BetaMonitorService,
    BetaMonitorScheduler,
    CheckpointMeasurementService,
    CheckpointsService,
    CheckpointsRepository,
    ComplaintsService,
    AlertOutboxService,
  ],
  exports: [BetaMonitorService, CheckpointsService, ComplaintsService, AlertOutboxService],
})
export class BetaMonitorModule {}
