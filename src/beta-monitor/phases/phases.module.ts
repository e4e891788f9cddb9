import { Module } from '@nestjs/common';
import { AuditModule } from 'src/audit/audit.module';
import { PhasesService } from 'src/beta-monitor/phases/phases.service';
import { FeatureFlagsModule } from 'src/feature-flags/feature-flags.module';
import { TelemetryModule } from 'src/telemetry/telemetry.module';

/** A flag's rollout phases: read by the checkpoint, the go/no-go and the rollback, so none of them owns it. */
@Module({
  imports: [AuditModule, FeatureFlagsModule, TelemetryModule],
  providers: [PhasesService],
  exports: [PhasesService],
})
export class PhasesModule {}
