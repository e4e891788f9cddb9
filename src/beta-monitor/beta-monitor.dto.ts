import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  registerDecorator,
} from 'class-validator';
import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { CHECKPOINT_STATUSES, CheckpointHealth, CheckpointStatus } from 'src/beta-monitor/checks';
import { SIGNAL_ACTIONS, SIGNAL_CODES, type SignalAction } from 'src/beta-monitor/signal-actions';
import { FeatureFlagReplaceDto } from 'src/feature-flags/feature-flag.dto';
import { IsSubjectId } from 'src/feature-flags/subject-id';
import { IsOmittable } from 'src/http/is-omittable.decorator';
import { PageQueryDto } from 'src/http/page-query.dto';

export const PHASE_NAME = /^[a-z][a-z0-9_]{1,63}$/;
const MAX_PHASE_HOURS = 24 * 90;

/** The field may not be sent together with `other`. */
function NotTogetherWith(other: string): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'notTogetherWith',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (_value: unknown, args) => (args?.object as Record<string, unknown>)[other] === undefined,
        defaultMessage: (args) => `${args?.property} and ${other} cannot both be given; send one of them`,
      },
    });
}

/** The flag's config the phase expects: the runbook's enabled and rollout, and the allowlist size. */
export class PhaseExpectedDto extends PickType(FeatureFlagReplaceDto, ['enabled', 'rolloutPercentage'] as const) {
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  allowlistCount: number;
}

export class DeterminismProbeDto {
  @IsSubjectId()
  subjectId: string;

  /** Whether the subject is expected on the allowlist (then it must answer ALLOWLIST). */
  @IsBoolean()
  inAllowlist: boolean;
}

export class PhaseThresholdsDto {
  /** Treatment 5xx rate allowed when no baseline exists (default 0: any 5xx warns). */
  @IsOmittable()
  @IsNumber()
  @Min(0)
  @Max(1)
  max5xxRate?: number;

  /** Treatment p95 latency allowed (ms) when no baseline exists. */
  @IsOmittable()
  @IsNumber()
  @Min(1)
  @Max(600_000)
  latencyP95Ms?: number;
}

export class PhaseDto {
  /** e.g. `phase1_beta`. */
  @Matches(PHASE_NAME, { message: 'name must match ^[a-z][a-z0-9_]{1,63}$' })
  name: string;

  @ValidateNested()
  @Type(() => PhaseExpectedDto)
  expected: PhaseExpectedDto;

  /** Allowlist count difference that is only a warning (default 1). */
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(1000)
  allowlistTolerance?: number;

  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => DeterminismProbeDto)
  determinismProbes?: DeterminismProbeDto[];

  /** The go/no-go is due this long after the phase starts (default 24). */
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(MAX_PHASE_HOURS)
  minDurationHours?: number;

  /**
   * Instead of `minDurationHours`, for a short phase (a demo, a rehearsal): the go/no-go is due
   * this many minutes after the phase starts. Not both.
   */
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(MAX_PHASE_HOURS * 60)
  @NotTogetherWith('minDurationHours')
  minDurationMinutes?: number;

  /**
   * Selects the default action of the rollback triggers (ERROR_RATE_5XX, DETERMINISM_FAIL,
   * CRITICAL_COMPLAINT): `rollback` (automatic Level 1) when true, `hold` when false (default).
   */
  @IsOmittable()
  @IsBoolean()
  autoRollback?: boolean;

  /**
   * The action per alert code, over the defaults: `rollback`, `hold` or `notify`, e.g.
   * `{"ERROR_RATE_5XX": "notify"}`. Codes left out keep their default; unknown codes are refused.
   */
  @IsOmittable()
  @IsObject()
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', enum: [...SIGNAL_ACTIONS] },
  })
  signalActions?: Record<string, SignalAction>;

  @IsOmittable()
  @ValidateNested()
  @Type(() => PhaseThresholdsDto)
  thresholds?: PhaseThresholdsDto;
}

export class PhasesReplaceDto {
  /** The phases in rollout order. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PhaseDto)
  phases: PhaseDto[];

  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class PhaseStartDto {
  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class PhaseResponseDto {
  name: string;
  position: number;
  expected: PhaseExpectedDto;
  allowlistTolerance: number;
  determinismProbes: DeterminismProbeDto[];
  /** The phase's minimum duration in hours; a fraction for a phase defined in minutes. */
  minDurationHours: number;
  /** The same in minutes: the go/no-go is due this long after the start. */
  minDurationMinutes: number;
  autoRollback: boolean;
  /** The action for every known alert code, defaults filled in. */
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', enum: [...SIGNAL_ACTIONS] },
    description: `Keys: ${SIGNAL_CODES.join(', ')}.`,
  })
  signalActions: Record<string, SignalAction>;
  thresholds: PhaseThresholdsDto;
  startedAt: string | null;
  startedBy: string | null;
  /** The pre-phase baseline recorded at start: the last 24 h of control traffic. */
  baseline: Record<string, unknown> | null;
}

export class PhaseListResponseDto {
  items: PhaseResponseDto[];
  /** The phase started last, or null. */
  active: string | null;
}

export class CheckpointRunDto {
  /** The phase to check; the active phase when left out. */
  @IsOmittable()
  @Matches(PHASE_NAME, { message: 'phase must match ^[a-z][a-z0-9_]{1,63}$' })
  phase?: string;

  /** A label unique per flag; `manual-<timestamp>` when left out. */
  @IsOmittable()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, { message: 'label must be 1–100 letters, digits or . _ : -' })
  label?: string;

  /**
   * Measure and answer only: no stored checkpoint, no alert, no automatic rollback (the answer's
   * `id` is `dry-run`). For looking without changing the phase's history or its go/no-go.
   */
  @IsOmittable()
  @IsBoolean()
  dryRun?: boolean;
}

export class CheckpointListQueryDto extends PageQueryDto {
  @IsOmittable()
  @IsIn(CHECKPOINT_STATUSES)
  status?: CheckpointStatus;

  @IsOmittable()
  @Matches(PHASE_NAME)
  phase?: string;

  /** ISO-8601; checkpoints created at or after. */
  @IsOmittable()
  @Matches(/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/, { message: 'since must be an ISO-8601 timestamp' })
  since?: string;

  /** ISO-8601; checkpoints created before. */
  @IsOmittable()
  @Matches(/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/, { message: 'until must be an ISO-8601 timestamp' })
  until?: string;
}

export class AlertDismissalDto {
  reason: string;
  dismissedBy: string;
  dismissedAt: string;
}

export class AlertDto {
  code: string;
  severity: 'WARN' | 'CRITICAL';
  message: string;
  observed: unknown;
  expected: unknown;
  /** Who dismissed the checkpoint's alerts of this code, when and why; null while not dismissed. */
  dismissed?: AlertDismissalDto | null;
}

export class AlertDismissDto {
  /** Why the alert no longer needs acting on (audited, shown in the go/no-go). */
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;
}

/** An active hold: the phase may not advance (except forced) until its alert is resolved or dismissed. */
export class HoldDto {
  code: string;
  checkpointId: string;
  checkpointLabel: string;
  checkpointCreatedAt: string;
  message: string;
}

/** What the checkpoint's window held (docs/beta-monitor-checks.md, data coverage). */
export class CheckpointCoverageDto {
  /** Telemetry HTTP requests reported under `on`. */
  treatmentRequests: number;
  /** Telemetry HTTP requests reported under `off`. */
  controlRequests: number;
  /** Matching outcomes reported under `on`. */
  treatmentMatching: number;
  /** Matching outcomes reported under `off`. */
  controlMatching: number;
  /** How often flagdog answered the flag ON in the window (REST and OFREP, every instance). */
  evaluationsOn: number;
  /** How often flagdog answered the flag OFF in the window. */
  evaluationsOff: number;
  /** The minute of the flag's latest telemetry up to the window's end; null when none ever arrived. */
  lastTelemetryAt: string | null;
  /** Seconds from that minute to the window's end (minute resolution); null when none. */
  secondsSinceLastTelemetry: number | null;
  /** Neither evaluations nor telemetry in the window: a GREEN then means "nothing happened", not "healthy". */
  noTraffic: boolean;
  /** `no traffic in this window` when noTraffic, else null. */
  note: string | null;
}

export class CheckpointResponseDto {
  id: string;
  featureKey: string;
  phase: string | null;
  label: string;
  status: CheckpointStatus;
  health: CheckpointHealth;
  trigger: 'scheduled' | 'manual' | 'cli';
  triggeredBy: string;
  windowStart: string;
  windowEnd: string;
  alerts: AlertDto[];
  config: Record<string, unknown> | null;
  metrics: Record<string, unknown> | null;
  determinism: Record<string, unknown> | null;
  evidence: Record<string, unknown> | null;
  /** The window's data coverage; null when the checkpoint could not measure (or predates it). */
  coverage: CheckpointCoverageDto | null;
  error: string | null;
  durationMs: number;
  createdAt: string;
}

export class CheckpointListResponseDto {
  items: CheckpointResponseDto[];
  nextCursor: string | null;
}

export class BetaMonitorStatusResponseDto {
  featureKey: string;
  /** GREEN, YELLOW or RED from the latest checkpoint; null before the first. */
  health: 'GREEN' | 'YELLOW' | 'RED' | null;
  /** Said with the health: `no traffic in this window` when the latest checkpoint saw neither evaluations nor telemetry. */
  healthNote: string | null;
  latest: CheckpointResponseDto | null;
  phase: PhaseResponseDto | null;
  nextScheduledRunAt: string | null;
  goNoGoDueAt: string | null;
  /** The active phase's holds (alerts with action `hold` of its latest measured checkpoint, not dismissed). */
  holds: HoldDto[];
}

export class ComplaintCreateDto {
  @IsSubjectId()
  subjectId: string;

  @IsIn(['critical', 'minor'])
  severity: 'critical' | 'minor';

  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  summary: string;
}

export class ComplaintResponseDto {
  id: string;
  featureKey: string;
  subjectId: string;
  severity: 'critical' | 'minor';
  summary: string;
  createdAt: string;
  createdBy: string;
}

export class ComplaintListResponseDto {
  items: ComplaintResponseDto[];
}
