import { ArrayMaxSize, IsArray, Matches } from 'class-validator';
import { IsSubjectId } from 'src/feature-flags/subject-id';
import { FLAG_KEY_PATTERN } from 'src/feature-flags/flag-key.pipe';
import { IsOmittable } from 'src/http/is-omittable.decorator';
import type { EvaluationReason } from 'src/feature-flags/resolver';

export class EvaluationResponseDto {
  key: string;
  subjectId: string;
  enabled: boolean;
  /** MASTER_SWITCH, FLAG_NOT_FOUND, DISABLED, ALLOWLIST, ROLLOUT or ROLLOUT_EXCLUDED. */
  reason: EvaluationReason;
  /** The subject's bucket 0–9999 for this flag (null for an unknown flag). */
  bucket: number | null;
  /** The flag's version the answer was computed from (null for an unknown flag). */
  version: number | null;
}

/**
 * Documents the body in OpenAPI; the route checks it with bulkEvaluationRequestOf, which a
 * spec holds to the same verdicts as these decorators.
 */
export class BulkEvaluationRequestDto {
  @IsSubjectId()
  subjectId: string;

  /** Flags to evaluate; all live flags when left out. */
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(FLAG_KEY_PATTERN, { each: true, message: 'each key must match ^[a-z][a-z0-9_]{2,63}$' })
  keys?: string[];
}

export class BulkEvaluationItemDto {
  key: string;
  enabled: boolean;
  reason: EvaluationReason;
  version: number | null;
}

export class BulkEvaluationResponseDto {
  subjectId: string;
  results: BulkEvaluationItemDto[];
}
