import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AllowlistService } from 'src/allowlist/allowlist.service';
import { AuditService } from 'src/audit/audit.service';
import { hasPermission, Permission } from 'src/auth/permissions';
import { Actor, Principal } from 'src/auth/principal';
import { PhasesService } from 'src/beta-monitor/phases/phases.service';
import { RollbackRequestDto, RollbackResponseDto } from 'src/beta-monitor/rollback/rollback.dto';
import { ChangeFeedService } from 'src/change-feed/change-feed.service';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';
import { FlagSnapshotService } from 'src/feature-flags/flag-snapshot.service';
import { evaluate } from 'src/feature-flags/resolver';
import { AppError } from 'src/http/app-error';

/**
 * The runbook's Level 1 rollback as one call: disable the flag or clear its allowlist, then
 * check with the phase's determinism probes that the answers changed, on this instance now and,
 * through the change-feed revision, on the others.
 */
@Injectable()
export class RollbackService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly flags: FeatureFlagsService,
    private readonly allowlist: AllowlistService,
    private readonly phases: PhasesService,
    private readonly snapshot: FlagSnapshotService,
    private readonly feed: ChangeFeedService,
    private readonly audit: AuditService,
  ) {}

  async rollback(principal: Principal, actor: Actor, key: string, dto: RollbackRequestDto): Promise<RollbackResponseDto> {
    const reason = `Level 1 rollback (${dto.mode}): ${dto.reason}`;
    if (dto.mode === 'disable') {
      await this.flags.update(principal, actor, key, { enabled: false, rolloutPercentage: 0, reason });
    } else {
      if (!hasPermission(principal.role, Permission.ALLOWLIST_REMOVE)) throw AppError.permissionDenied(Permission.ALLOWLIST_REMOVE);
      await this.allowlist.clear(actor, key, reason);
    }
    const flag = await this.flags.get(key);
    const phase = await this.phases.find(key);
    const masterSwitchOff = this.config.masterSwitchesOff.has(key);
    const probes = (phase?.determinismProbes ?? []).map(({ subjectId }) => {
      const answer = evaluate(this.snapshot.get(key), subjectId, masterSwitchOff);
      return { subjectId, enabled: answer.enabled, reason: answer.reason, version: answer.version };
    });
    const effective =
      probes.every((probe) => !probe.enabled) && (dto.mode === 'clear_allowlist' || this.snapshot.get(key)?.enabled === false);
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
}
