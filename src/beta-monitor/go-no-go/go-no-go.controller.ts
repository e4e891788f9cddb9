import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentActor, CurrentPrincipal } from 'src/auth/access.decorator';
import { Permission } from 'src/auth/permissions';
import type { Actor, Principal } from 'src/auth/principal';
import { ChecklistItemPipe } from 'src/beta-monitor/go-no-go/checklist-item.pipe';
import type { ChecklistItem } from 'src/beta-monitor/go-no-go/go-no-go';
import {
  ChecklistSignDto,
  GoNoGoResponseDto,
  PhaseAdvanceDto,
  PhaseAdvanceResponseDto,
} from 'src/beta-monitor/go-no-go/go-no-go.dto';
import { GoNoGoService } from 'src/beta-monitor/go-no-go/go-no-go.service';
import { FlagKeyPipe } from 'src/feature-flags/flag-key.pipe';

@ApiTags('beta monitor')
@ApiBadRequestResponse({ description: 'The request is not valid (VALIDATION_FAILED).' })
@ApiNotFoundResponse({ description: 'No such flag (FLAG_NOT_FOUND) or checklist item (CHECKLIST_ITEM_NOT_FOUND).' })
@ApiConflictResponse({
  description:
    'No started phase (NO_ACTIVE_PHASE); on advance: on hold (PHASE_ON_HOLD), not GO (GO_NO_GO_NOT_GO) or no next phase (NO_NEXT_PHASE).',
})
@Controller('api/admin/beta-monitor/:key')
export class GoNoGoController {
  constructor(private readonly goNoGo: GoNoGoService) {}

  /** The active phase's go/no-go (runbook §5): automated criteria, checklist, decision and due time. */
  @Get('go-no-go')
  @Allow(Permission.FLAGS_READ)
  get(@Param('key', FlagKeyPipe) key: string): Promise<GoNoGoResponseDto> {
    return this.goNoGo.evaluate(key, new Date());
  }

  /** Signs a manual checklist item of the active phase, e.g. `{"status":"PASS","note":"…"}`; re-signing replaces it. */
  @Put('go-no-go/checklist/:item')
  @Allow(Permission.CHECKLIST_SIGN)
  sign(
    @CurrentActor() actor: Actor,
    @Param('key', FlagKeyPipe) key: string,
    @Param('item', ChecklistItemPipe) item: ChecklistItem,
    @Body() dto: ChecklistSignDto,
  ): Promise<GoNoGoResponseDto> {
    return this.goNoGo.sign(actor, key, item, dto);
  }

  /** Starts the next phase when the decision is GO and no hold is active; `{"force": true, "reason": "…"}` overrides (audited). */
  @Post('advance')
  @HttpCode(200)
  @Allow(Permission.PHASES_MANAGE)
  advance(
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
    @Param('key', FlagKeyPipe) key: string,
    @Body() dto: PhaseAdvanceDto,
  ): Promise<PhaseAdvanceResponseDto> {
    return this.goNoGo.advance(principal, actor, key, dto, new Date());
  }
}
