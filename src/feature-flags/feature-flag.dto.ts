import { IsOmittable } from 'src/http/is-omittable.decorator';
import { Transform } from 'class-transformer';
import { IsBoolean, IsNumber, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { OmitType } from '@nestjs/swagger';
import { FLAG_KEY_PATTERN } from 'src/feature-flags/flag-key.pipe';
import { ROLLOUT_PERCENTAGE } from 'src/feature-flags/rollout';
import { AuditEventResponseDto } from 'src/audit/audit-event.dto';

export class FeatureFlagCreateDto {
  /** `^[a-z][a-z0-9_]{2,63}$`, e.g. `passenger_favorites_matching`. */
  @Matches(FLAG_KEY_PATTERN, { message: 'key must match ^[a-z][a-z0-9_]{2,63}$' })
  key: string;

  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;

  /** 0–100 with at most two decimals. */
  @IsOmittable()
  @IsNumber(ROLLOUT_PERCENTAGE)
  @Min(0)
  @Max(100)
  rolloutPercentage?: number;

  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

/** The runbook's call: both fields, e.g. `{"enabled":false,"rolloutPercentage":0}`. */
export class FeatureFlagReplaceDto {
  @IsBoolean()
  enabled: boolean;

  /** 0–100 with at most two decimals. */
  @IsNumber(ROLLOUT_PERCENTAGE)
  @Min(0)
  @Max(100)
  rolloutPercentage: number;

  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

/** Any of the fields of a create but the key; a field left out stays as it is. */
export class FeatureFlagUpdateDto extends OmitType(FeatureFlagCreateDto, ['key'] as const) {}

export class FeatureFlagArchiveQueryDto {
  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class FeatureFlagListQueryDto {
  /** Also list archived flags. */
  @IsOmittable()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  includeArchived?: boolean;
}

export class FeatureFlagResponseDto {
  key: string;
  description: string;
  enabled: boolean;
  /** 0–100, in 0.01 steps. */
  rolloutPercentage: number;
  allowlistCount: number;
  /** Bumped by every change of the flag or its allowlist; also the ETag. */
  version: number;
  /** `"off"` while the FEATURE_<KEY> master switch forces the flag off. */
  masterSwitch: 'off' | null;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

export class FeatureFlagListResponseDto {
  items: FeatureFlagResponseDto[];
}

export class AuditEventListResponseDto {
  items: AuditEventResponseDto[];
  nextCursor: string | null;
}
