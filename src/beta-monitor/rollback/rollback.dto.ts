import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { FeatureFlagResponseDto } from 'src/feature-flags/feature-flag.dto';

export class RollbackRequestDto {
  /** Level 1 is the only level an API call can take; Level 2 is the master switch, Level 3 a redeploy. */
  @IsIn([1], {
    message: 'level must be 1 (Level 2 is FEATURE_<KEY>=false, Level 3 a redeploy: see docs/deployment.md)',
  })
  level: number;

  /** `disable` (enabled false, rollout 0 %) or `clear_allowlist` (runbook option B). */
  @IsIn(['disable', 'clear_allowlist'])
  mode: 'disable' | 'clear_allowlist';

  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;
}

export class RollbackProbeDto {
  subjectId: string;
  enabled: boolean;
  reason: string;
  version: number | null;
}

export class RollbackResponseDto {
  level: number;
  mode: 'disable' | 'clear_allowlist';
  flag: FeatureFlagResponseDto;
  /** The active phase's determinism probes, evaluated on this instance after the rollback. */
  probes: RollbackProbeDto[];
  /** True when every probe (every subject, for `disable`) now answers OFF. */
  effective: boolean;
  /**
   * The change-feed revision that carries the rollback. Every instance whose `/health/ready`
   * shows `snapshot.revision` at or above it answers with the rollback in effect.
   */
  snapshotRevision: number;
}
