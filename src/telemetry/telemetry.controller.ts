import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiExtraModels,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { Allow, CurrentPrincipal } from 'src/auth/access.decorator';
import { Permission } from 'src/auth/permissions';
import { QuietAccessLog } from 'src/http/access-log';
import type { Principal } from 'src/auth/principal';
import {
  TelemetryBatchDto,
  TelemetryHttpEventDto,
  TelemetryIngestResponseDto,
  TelemetryMatchingEventDto,
} from 'src/telemetry/telemetry.dto';
import { TelemetryBatch, TelemetryBatchPipe } from 'src/telemetry/telemetry-batch.pipe';
import { TelemetryRateLimitGuard } from 'src/telemetry/telemetry-rate-limit.guard';
import { TelemetryService } from 'src/telemetry/telemetry.service';

@ApiTags('telemetry')
@ApiExtraModels(TelemetryHttpEventDto, TelemetryMatchingEventDto)
@ApiBadRequestResponse({
  description: 'The body is not `{events: [...]}` with at most 5,000 events (VALIDATION_FAILED).',
})
@Controller('api/telemetry')
export class TelemetryController {
  constructor(private readonly telemetry: TelemetryService) {}

  /**
   * Reports HTTP and matching events of the monitored application; counted per flag, variant and
   * minute. Needs a service token made with `telemetry:write`. The 202 comes once the accepted
   * events are stored in the database.
   */
  @Post('events')
  @HttpCode(202)
  @QuietAccessLog()
  @Allow(Permission.TELEMETRY_WRITE)
  @UseGuards(TelemetryRateLimitGuard)
  @ApiBody({ type: TelemetryBatchDto })
  @ApiTooManyRequestsResponse({
    description:
      'The token sends more events per second than TELEMETRY_RATE_LIMIT; see Retry-After (TELEMETRY_RATE_LIMITED).',
  })
  @ApiServiceUnavailableResponse({
    description: 'The events could not be stored; none of the batch was kept (DATABASE_UNAVAILABLE).',
  })
  ingest(
    @CurrentPrincipal() sender: Principal,
    @Body(TelemetryBatchPipe) batch: TelemetryBatch,
  ): Promise<TelemetryIngestResponseDto> {
    return this.telemetry.ingest(sender, batch.events);
  }
}
