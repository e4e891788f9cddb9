import { Module } from '@nestjs/common';
import { TelemetryController } from 'src/beta-monitor/telemetry.controller';
import { TelemetryMinutesRepository } from 'src/beta-monitor/telemetry-minutes.repository';
import { TelemetryRateLimiter } from 'src/beta-monitor/telemetry-rate-limiter';
import { TelemetryService } from 'src/beta-monitor/telemetry.service';
import { FeatureFlagsModule } from 'src/feature-flags/feature-flags.module';

@Module({
  imports: [FeatureFlagsModule],
  controllers: [TelemetryController],
  providers: [TelemetryService, TelemetryMinutesRepository, TelemetryRateLimiter],
  exports: [TelemetryService],
})
export class TelemetryModule {}
