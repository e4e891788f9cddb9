import { Module } from '@nestjs/common';
import { TelemetryController } from 'src/beta-monitor/telemetry.controller';
import { TelemetryMinutesRepository } from 'src/beta-monitor/telemetry-minutes.repository';
import { TelemetryService } from 'src/beta-monitor/telemetry.service';

@Module({
  controllers: [TelemetryController],
  providers: [TelemetryService, TelemetryMinutesRepository],
  exports: [TelemetryService],
})
export class TelemetryModule {}
