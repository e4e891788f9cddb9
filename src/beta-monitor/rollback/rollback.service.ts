import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AllowlistService } from 'src/allowlist/allowlist.service';
import { AuditService } from 'src/audit/audit.service';
import { hasPermission, Permission } from 'src/auth/permissions';
import { Actor, Principal } from 'src/auth/principal';
import { PhaseResponseDto } from 'src/beta-monitor/beta-monitor.dto';
import { PhasesService } from 'src/beta-monitor/phases/phases.service';
import { RollbackRequestDto, RollbackResponseDto } from 'src/beta-monitor/rollback/rollback.dto';
import { ChangeFeedService } from 'src/change-feed/change-feed.service';
import { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';
import { FlagReadModel } from 'src/feature-flags/flag-read-model';
import { Evaluation } from 'src/feature-flags/resolver';
import { AppError } from 'src/http/app-error';

/** The automatic rollback acts as the beta monitor, with an operator's right to reduce exposure. */
const MONITOR: Principal = { kind: 'service', id: 'beta-monitor', name: 'beta-monitor', role: 'OPERATOR' };
const MONITOR_ACTOR: Actor = { name: 'beta-monitor', role: 'SYSTEM', requestId: null };

export type ProbeAnswer = Readonly<{ subjectId: string; answer: Evaluation }>;
export type AutomaticRollback = Readonly<{ causes: string[]; verified: boolean; verification: ProbeAnswer[] }>;

/**
 * The runbook's Level 1 rollback, the one place it happens: disable the flag (or clear its
 * allowlist), then ask the phase's determinism probes whether the answers changed, on this
 * instance now and, through the change-feed revision, on the others. An operator calls it over
 * HTTP (`rollback`); a checkpoint of a phase with `autoRollback` calls it itself (`automatic`).
 */
@Injectable()
export class RollbackService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly flags: FeatureFlagsService,
    private readonly flagsRead: FlagReadModel,
    private readonly allowlist: AllowlistService,
    private readonly phases: PhasesService,
    private readonly feed: ChangeFeedService,
    private readonly audit: AuditService,
  ) {}

  async rollback(
    principal: Principal,
    actor: Actor,
    key: string,
    dto: RollbackRequestDto,
  ): Promise<RollbackResponseDto> {
    const reason = `Level 1 rollback (${dto.mode}): ${dto.reason}`;
    if (dto.mode === 'disable') {
      await this.disable(principal, actor, key, reason);
    } else {
      if (!hasPermission(principal.role, Permission.ALLOWLIST_REMOVE))
        throw AppError.permissionDenied(Permission.ALLOWLIST_REMOVE);
      await this.allowlist.clear(actor, key, reason);
    }
    const flag = await this.flags.get(key);
    const phase = await this.phases.find(key);
    const probes = this.probe(key, phase).map(({ subjectId, answer }) => ({
      subjectId,
      enabled: answer.enabled,
      reason: answer.reason,
      version: answer.version,
    }));
    const effective =
      probes.every((probe) => !probe.enabled) &&
      (dto.mode === 'clear_allowlist' || this.flagsRead.snapshotEnabled(key) === false);
    const snapshotRevision = this.feed.health().revision;
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, actor, {
        action: 'rollback.level1',
        featureKey: key,
        after: { mode: dto.mode, probes, effective, snapshotRevision, version: flag.version },
        reason: dto.reason,
      }),
    );
    return { level: dto.level, mode: dto.mode, flag, probes, effective, snapshotRevision };
  }

  /** Level 1 (disable) by the beta monitor for the checkpoint `checkpointLabel`, verified with the phase's probes, audited. */
  async automatic(
    key: string,
    phase: PhaseResponseDto,
    checkpointLabel: string,
    causes: string[],
  ): Promise<AutomaticRollback> {
    await this.disable(MONITOR, MONITOR_ACTOR, key, `automatic Level 1 rollback: ${causes.join(', ')}`);
    const verification = this.probe(key, phase);
    const verified = verification.every(({ answer }) => !answer.enabled);
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, MONITOR_ACTOR, {
        action: 'rollback.executed',
        featureKey: key,
        after: { level: 1, mode: 'disable', phase: phase.name, checkpointLabel, causes, verified },
        reason: `ROLLBACK_EXECUTED by the beta monitor, checkpoint ${checkpointLabel}: ${causes.join(', ')}`,
      }),
    );
    return { causes, verified, verification };
  }

  private disable(principal: Principal, actor: Actor, key: string, reason: string): Promise<unknown> {
    return this.flags.update(principal, actor, key, { enabled: false, rolloutPercentage: 0, reason });
  }

  /** Each probe of the phase as evaluation answers it now, from this instance's snapshot. */
  private probe(key: string, phase: PhaseResponseDto | null): ProbeAnswer[] {
    return (phase?.determinismProbes ?? []).map(({ subjectId }) => ({
      subjectId,
      answer: this.flagsRead.evaluateLive(key, subjectId),
    }));
  }
}
