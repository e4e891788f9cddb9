import { Module } from '@nestjs/common';
import { AllowlistModule } from 'src/allowlist/allowlist.module';
import { AuditModule } from 'src/audit/audit.module';
import { PhasesModule } from 'src/beta-monitor/phases/phases.module';
import { RollbackController } from 'src/beta-monitor/rollback/rollback.controller';
import { RollbackService } from 'src/beta-monitor/rollback/rollback.service';
import { FeatureFlagsModule } from 'src/feature-flags/feature-flags.module';

@Module({
  imports: [AuditModule, AllowlistModule, FeatureFlagsModule, PhasesModule],
  controllers: [RollbackController],
  providers: [RollbackService],
  exports: [RollbackService],
})
export class RollbackModule {}
