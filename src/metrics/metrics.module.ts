import { Module } from '@nestjs/common';
import { BetaMonitorModule } from 'src/beta-monitor/beta-monitor.module';
import { TelemetryModule } from 'src/telemetry/telemetry.module';
import { FeatureFlagsModule } from 'src/feature-flags/feature-flags.module';
import { MetricsController } from 'src/metrics/metrics.controller';
import { MetricsService } from 'src/metrics/metrics.service';

@Module({
  imports: [FeatureFlagsModule, TelemetryModule, BetaMonitorModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
