import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TelemetryModule } from 'src/telemetry/telemetry.module';
import { FeatureFlagsModule } from 'src/feature-flags/feature-flags.module';
import { HealthController } from 'src/health/health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), FeatureFlagsModule, TelemetryModule],
  controllers: [HealthController],
})
export class HealthModule {}
