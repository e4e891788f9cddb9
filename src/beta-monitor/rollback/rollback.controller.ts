import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentActor, CurrentPrincipal } from 'src/auth/access.decorator';
import { Permission } from 'src/auth/permissions';
import type { Actor, Principal } from 'src/auth/principal';
import { RollbackRequestDto, RollbackResponseDto } from 'src/beta-monitor/rollback/rollback.dto';
import { RollbackService } from 'src/beta-monitor/rollback/rollback.service';
import { FlagKeyPipe } from 'src/feature-flags/flag-key.pipe';

@ApiTags('beta monitor')
@ApiBadRequestResponse({ description: 'The request is not valid (VALIDATION_FAILED).' })
@ApiNotFoundResponse({ description: 'No such flag (FLAG_NOT_FOUND).' })
@Controller('api/admin/beta-monitor/:key')
export class RollbackController {
  constructor(private readonly rollbacks: RollbackService) {}

  /** Level 1 rollback, verified: `{level: 1, mode: "disable" | "clear_allowlist", reason}`. */
  @Post('rollback')
  @HttpCode(200)
  @Allow(Permission.FLAGS_REDUCE_EXPOSURE)
  rollback(
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
    @Param('key', FlagKeyPipe) key: string,
    @Body() dto: RollbackRequestDto,
  ): Promise<RollbackResponseDto> {
    return this.rollbacks.rollback(principal, actor, key, dto);
  }
}
