import { IsOmittable } from 'src/http/is-omittable.decorator';
import { Transform } from 'class-transformer';
import { IsBoolean, IsString, Matches, Max, MaxLength, Min, registerDecorator } from 'class-validator';
import { OmitType } from '@nestjs/swagger';
import { AuditEventResponseDto } from 'src/audit/audit-event.dto';
import { rolloutPercentageProblem } from 'src/feature-flags/rollout';
import { FLAG_KEY_PATTERN } from 'src/feature-flags/flag-key.pipe';

/**
 * 0–100 in 0.01 steps, judged on the number itself (class-validator's maxDecimalPlaces reads
 * the text of the number and crashes on 1e-7); the message says which of the three is wrong.
 */
export function IsRolloutPercentage(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isRolloutPercentage',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => rolloutPercentageProblem(value) === null,
        defaultMessage: (args) => `${args?.property} ${rolloutPercentageProblem(args?.value)}`,
      },
    });
}

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
  @IsRolloutPercentage()
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
  @IsRolloutPercentage()
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
