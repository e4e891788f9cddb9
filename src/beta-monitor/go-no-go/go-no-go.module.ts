import { Module } from '@nestjs/common';
import { AuditModule } from 'src/audit/audit.module';
import { BetaMonitorModule } from 'src/beta-monitor/beta-monitor.module';
import { GoNoGoController } from 'src/beta-monitor/go-no-go/go-no-go.controller';
import { GoNoGoRepository } from 'src/beta-monitor/go-no-go/go-no-go.repository';
import { GoNoGoService } from 'src/beta-monitor/go-no-go/go-no-go.service';
import { PhasesModule } from 'src/beta-monitor/phases/phases.module';
import { FeatureFlagsModule } from 'src/feature-flags/feature-flags.module';

@Module({
  imports: [BetaMonitorModule, PhasesModule, AuditModule, FeatureFlagsModule],
  controllers: [GoNoGoController],
  providers: [GoNoGoService, GoNoGoRepository],
})
export class GoNoGoModule {}
