import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentActor, CurrentPrincipal } from 'src/auth/access.decorator';
import { Permission } from 'src/auth/permissions';
import type { Actor, Principal } from 'src/auth/principal';
import {
  BetaMonitorStatusResponseDto,
  CheckpointListQueryDto,
  CheckpointListResponseDto,
  CheckpointResponseDto,
  CheckpointRunDto,
  ComplaintCreateDto,
  ComplaintListResponseDto,
  ComplaintResponseDto,
  PhaseListResponseDto,
  PhaseResponseDto,
  PhasesReplaceDto,
  PhaseStartDto,
} from 'src/beta-monitor/beta-monitor.dto';
import { BetaMonitorScheduler } from 'src/beta-monitor/beta-monitor.scheduler';
import { BetaMonitorService } from 'src/beta-monitor/beta-monitor.service';
import { CheckpointsService } from 'src/beta-monitor/checkpoints.service';
import { ComplaintsService } from 'src/beta-monitor/complaints.service';
import { PhasesService } from 'src/beta-monitor/phases/phases.service';
import { FlagKeyPipe } from 'src/feature-flags/flag-key.pipe';
import { PhaseNamePipe } from 'src/beta-monitor/phases/phase-name.pipe';
import { UuidParam } from 'src/http/uuid-param.pipe';

@ApiTags('beta monitor')
@ApiBadRequestResponse({ description: 'The request is not valid (VALIDATION_FAILED).' })
@ApiNotFoundResponse({ description: 'No such flag (FLAG_NOT_FOUND), phase (PHASE_NOT_FOUND) or checkpoint.' })
@Controller('api/admin/beta-monitor/:key')
export class BetaMonitorController {
  constructor(
    private readonly monitor: BetaMonitorService,
    private readonly checkpoints: CheckpointsService,
    private readonly phasesService: PhasesService,
    private readonly complaintsService: ComplaintsService,
    private readonly scheduler: BetaMonitorScheduler,
  ) {}

  /** Runs a checkpoint now (the runbook's "Executar agora"), e.g. `{"phase":"phase1_beta"}`. */
  @Post('run')
  @Allow(Permission.CHECKPOINTS_RUN)
  @ApiConflictResponse({ description: 'No started phase (NO_ACTIVE_PHASE) or the label is taken (CHECKPOINT_EXISTS).' })
  run(
    @CurrentActor() actor: Actor,
    @Param('key', FlagKeyPipe) key: string,
    @Body() dto: CheckpointRunDto,
  ): Promise<CheckpointResponseDto> {
    return this.monitor.runManual(actor, key, dto);
  }

  /** Checkpoints, newest first, filtered by status, phase and time. */
  @Get('checkpoints')
  @Allow(Permission.FLAGS_READ)
  list(
    @Param('key', FlagKeyPipe) key: string,
    @Query() query: CheckpointListQueryDto,
  ): Promise<CheckpointListResponseDto> {
    return this.checkpoints.list(key, query);
  }

  /** One checkpoint with all its evidence. */
  @Get('checkpoints/:id')
  @Allow(Permission.FLAGS_READ)
  get(@Param('key', FlagKeyPipe) key: string, @Param('id', UuidParam) id: string): Promise<CheckpointResponseDto> {
    return this.checkpoints.get(key, id);
  }

  /** Health from the latest checkpoint, the active phase, the next scheduled run, the go/no-go due time. */
  @Get('status')
  @Allow(Permission.FLAGS_READ)
  status(@Param('key', FlagKeyPipe) key: string): Promise<BetaMonitorStatusResponseDto> {
    return this.checkpoints.status(key, this.scheduler.nextRunAt());
  }

  @Get('phases')
  @Allow(Permission.FLAGS_READ)
  phases(@Param('key', FlagKeyPipe) key: string): Promise<PhaseListResponseDto> {
    return this.phasesService.list(key);
  }

  /** Defines the flag's phases in rollout order. */
  @Put('phases')
  @Allow(Permission.PHASES_MANAGE)
  replacePhases(
    @CurrentActor() actor: Actor,
    @Param('key', FlagKeyPipe) key: string,
    @Body() dto: PhasesReplaceDto,
  ): Promise<PhaseListResponseDto> {
    return this.phasesService.replace(actor, key, dto);
  }

  /** Applies the phase's expected config, records the pre-phase baseline and starts its clock. */
  @Post('phases/:phase/start')
  @HttpCode(200)
  @Allow(Permission.PHASES_MANAGE)
  startPhase(
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
    @Param('key', FlagKeyPipe) key: string,
    @Param('phase', PhaseNamePipe) phase: string,
    @Body() dto: PhaseStartDto,
  ): Promise<PhaseResponseDto> {
    return this.phasesService.start(principal, actor, key, phase, dto.reason);
  }

  @Post('complaints')
  @Allow(Permission.COMPLAINTS_WRITE)
  recordComplaint(
    @CurrentActor() actor: Actor,
    @Param('key', FlagKeyPipe) key: string,
    @Body() dto: ComplaintCreateDto,
  ): Promise<ComplaintResponseDto> {
    return this.complaintsService.record(actor, key, dto);
  }

  @Get('complaints')
  @Allow(Permission.FLAGS_READ)
  complaints(@Param('key', FlagKeyPipe) key: string): Promise<ComplaintListResponseDto> {
    return this.complaintsService.list(key);
  }
}
