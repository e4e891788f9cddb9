import { IsBoolean, IsIn, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { HoldDto, PhaseResponseDto } from 'src/beta-monitor/beta-monitor.dto';
import type {
  AutomatedCode,
  ChecklistItem,
  CriterionStatus,
  Decision,
  SignedStatus,
} from 'src/beta-monitor/go-no-go/go-no-go';
import { IsOmittable } from 'src/http/is-omittable.decorator';

export class ChecklistSignDto {
  @IsIn(['PASS', 'WARN', 'FAIL'])
  status: SignedStatus;

  /** Why: what the signer looked at. */
  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class PhaseAdvanceDto {
  /** Advance although the decision is not GO or the phase is on hold (needs `reason`; audited as an override). */
  @IsOmittable()
  @IsBoolean()
  force?: boolean;

  @ValidateIf((dto: PhaseAdvanceDto, value) => dto.force === true || value !== undefined)
  @IsString()
  @MinLength(1, { message: 'reason is required with force' })
  @MaxLength(2000)
  reason?: string;
}

export class GoNoGoCriterionDto {
  code: AutomatedCode;
  status: CriterionStatus;
  message: string;
  evidence: Record<string, unknown>;
}

export class ChecklistSignatureDto {
  status: SignedStatus;
  note: string | null;
  signedBy: string;
  signedAt: string;
}

export class GoNoGoChecklistItemDto {
  item: ChecklistItem;
  /** What the phase's checkpoints and complaints suggest. */
  suggested: CriterionStatus;
  suggestion: string;
  evidence: Record<string, unknown>;
  /** The person's signature for the current run of the phase; null while unsigned. */
  signed: ChecklistSignatureDto | null;
}

export class GoNoGoResponseDto {
  featureKey: string;
  phase: string;
  startedAt: string;
  /** Phase start + the phase's minimum duration (`minDurationMinutes`). */
  dueAt: string;
  evaluatedAt: string;
  decision: Decision;
  reasons: string[];
  /**
   * PENDING: the due time; EXTEND: the due time + 24 h (runbook: continue the phase for 24 h; a
   * phase shorter than 24 h continues for its own length); else null.
   */
  nextReviewAt: string | null;
  automated: GoNoGoCriterionDto[];
  checklist: GoNoGoChecklistItemDto[];
  /** The phase's checkpoints by trigger and status. */
  checkpoints: { total: number; scheduled: number; byStatus: Record<string, number> };
  /** The phase to advance to, or null for the last one. */
  nextPhase: string | null;
  /** Active holds: while any, advancing answers 409 PHASE_ON_HOLD (unless forced). */
  holds: HoldDto[];
}

export class PhaseAdvanceResponseDto {
  from: string;
  to: PhaseResponseDto;
  /** The decision when advancing; anything but GO means the advance was forced. */
  decision: Decision;
  forced: boolean;
}
