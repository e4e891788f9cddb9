import { Module } from '@nestjs/common';
import { FeatureFlagsModule } from 'src/feature-flags/feature-flags.module';
import { TelemetryController } from 'src/telemetry/telemetry.controller';
import { TelemetryMinutesRepository } from 'src/telemetry/telemetry-minutes.repository';
import { TelemetryRateLimiter } from 'src/telemetry/telemetry-rate-limiter';
import { TelemetryService } from 'src/telemetry/telemetry.service';

@Module({
  imports: [FeatureFlagsModule],
  controllers: [TelemetryController],
  providers: [TelemetryService, TelemetryMinutesRepository, TelemetryRateLimiter],
  exports: [TelemetryService],
})
export class TelemetryModule {}
