import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentActor } from 'src/auth/access.decorator';
import { Permission } from 'src/auth/permissions';
import type { Actor } from 'src/auth/principal';
import { AlertDismissalsService } from 'src/beta-monitor/alert-dismissals.service';
import { AlertDismissDto, CheckpointResponseDto } from 'src/beta-monitor/beta-monitor.dto';
import { AlertCodePipe } from 'src/beta-monitor/alert-code.pipe';
import { FlagKeyPipe } from 'src/feature-flags/flag-key.pipe';
import { UuidParam } from 'src/http/uuid-param.pipe';

@ApiTags('beta monitor')
@ApiBadRequestResponse({ description: 'The request is not valid (VALIDATION_FAILED).' })
@ApiNotFoundResponse({
  description: 'No such flag (FLAG_NOT_FOUND), checkpoint (CHECKPOINT_NOT_FOUND) or alert (ALERT_NOT_FOUND).',
})
@ApiConflictResponse({ description: 'The alert is already dismissed (ALERT_ALREADY_DISMISSED).' })
@Controller('api/admin/beta-monitor/:key')
export class AlertDismissalsController {
  constructor(private readonly dismissals: AlertDismissalsService) {}

  /**
   * Dismisses the checkpoint's alerts of one code, e.g. `{"reason": "drift reverted at 14:05"}`:
   * they stay in the history, marked dismissed; the hold they caused is released and the
   * go/no-go lists them as dismissed. Answers the checkpoint. Audited as `alert.dismissed`.
   */
  @Post('checkpoints/:id/alerts/:code/dismiss')
  @HttpCode(200)
  @Allow(Permission.ALERTS_DISMISS)
  dismiss(
    @CurrentActor() actor: Actor,
    @Param('key', FlagKeyPipe) key: string,
    @Param('id', UuidParam) id: string,
    @Param('code', AlertCodePipe) code: string,
    @Body() dto: AlertDismissDto,
  ): Promise<CheckpointResponseDto> {
    return this.dismissals.dismiss(actor, key, id, code, dto);
  }
}
