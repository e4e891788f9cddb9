export class OfrepContextDto {
  /** The subject: for flagdog, the subject ID (e.g. a passenger ID). */
  targetingKey: string;
}

export class OfrepEvaluationRequestDto {
  /** Evaluation context; other attributes are accepted and ignored. */
  context: OfrepContextDto;
}

export class OfrepMetadataDto {
  /** flagdog's own reason: ALLOWLIST, ROLLOUT, ROLLOUT_EXCLUDED, DISABLED or MASTER_SWITCH. */
  flagdogReason: string;
  version: number | null;
  /** `env` when the FEATURE_<KEY> master switch forces the flag off. */
  killSwitch?: 'env';
}

export class OfrepEvaluationResponseDto {
  key: string;
  value: boolean;
  variant: 'on' | 'off';
  /** TARGETING_MATCH (allowlist), SPLIT (percentage rollout) or DISABLED. */
  reason: 'TARGETING_MATCH' | 'SPLIT' | 'DISABLED';
  metadata: OfrepMetadataDto;
}

export class OfrepBulkResponseDto {
  flags: OfrepEvaluationResponseDto[];
}
