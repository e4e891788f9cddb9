import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AuditModule } from 'src/audit/audit.module';
import { AlertOutboxService } from 'src/beta-monitor/alert-outbox.service';
import { BetaMonitorController } from 'src/beta-monitor/beta-monitor.controller';
import { BetaMonitorScheduler } from 'src/beta-monitor/beta-monitor.scheduler';
import { BetaMonitorService } from 'src/beta-monitor/beta-monitor.service';
import { CheckpointsRepository } from 'src/beta-monitor/checkpoints.repository';
import { ComplaintsService } from 'src/beta-monitor/complaints.service';
import { PhasesService } from 'src/beta-monitor/phases/phases.service';
import { TelemetryModule } from 'src/telemetry/telemetry.module';
import { FeatureFlagsModule } from 'src/feature-flags/feature-flags.module';

@Module({
  imports: [ScheduleModule.forRoot(), AuditModule, FeatureFlagsModule, TelemetryModule],
  controllers: [BetaMonitorController],
  providers: [BetaMonitorService, BetaMonitorScheduler, PhasesService, ComplaintsService, CheckpointsRepository, AlertOutboxService],
  exports: [BetaMonitorService, PhasesService, ComplaintsService, CheckpointsRepository, AlertOutboxService],
})
export class BetaMonitorModule {}
