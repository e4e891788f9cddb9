import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiExtraModels, ApiTags } from '@nestjs/swagger';
import { Allow } from 'src/auth/access.decorator';
import { Permission } from 'src/auth/permissions';
import {
  TelemetryBatchDto,
  TelemetryHttpEventDto,
  TelemetryIngestResponseDto,
  TelemetryMatchingEventDto,
} from 'src/beta-monitor/telemetry.dto';
import { TelemetryBatch, TelemetryBatchPipe } from 'src/beta-monitor/telemetry-batch.pipe';
import { TelemetryService } from 'src/beta-monitor/telemetry.service';
import { QuietAccessLog } from 'src/http/access-log';

@ApiTags('telemetry')
@ApiExtraModels(TelemetryHttpEventDto, TelemetryMatchingEventDto)
@ApiBadRequestResponse({ description: 'The body is not `{events: [...]}` with at most 5,000 events (VALIDATION_FAILED).' })
@Controller('api/telemetry')
export class TelemetryController {
  constructor(private readonly telemetry: TelemetryService) {}

  /** Reports HTTP and matching events of the monitored application; counted per flag, variant and minute. */
  @Post('events')
  @HttpCode(202)
  @Allow(Permission.TELEMETRY_WRITE)
  @QuietAccessLog()
  @ApiBody({ type: TelemetryBatchDto })
  ingest(@Body(TelemetryBatchPipe) batch: TelemetryBatch): TelemetryIngestResponseDto {
    return this.telemetry.ingest(batch.events);
  }
}
