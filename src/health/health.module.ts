import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuthModule } from 'src/auth/auth.module';
import { TelemetryModule } from 'src/telemetry/telemetry.module';
import { FeatureFlagsModule } from 'src/feature-flags/feature-flags.module';
import { HealthController } from 'src/health/health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), AuthModule, FeatureFlagsModule, TelemetryModule],
  controllers: [HealthController],
})
export class HealthModule {}
