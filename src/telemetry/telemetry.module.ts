import { Module } from '@nestjs/common';
import { TelemetryController } from 'src/telemetry/telemetry.controller';
import { TelemetryMinutesRepository } from 'src/telemetry/telemetry-minutes.repository';
import { TelemetryService } from 'src/telemetry/telemetry.service';

@Module({
  controllers: [TelemetryController],
  providers: [TelemetryService, TelemetryMinutesRepository],
  exports: [TelemetryService],
})
export class TelemetryModule {}
