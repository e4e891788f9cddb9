import { IsOmittable } from 'src/http/is-omittable.decorator';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, MaxLength } from 'class-validator';
import { IsSubjectId } from 'src/feature-flags/subject-id';

export class AllowlistAddDto {
  /** 1–10,000 subject IDs; each 1–128 characters without control characters. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsSubjectId({ each: true })
  subjectIds: string[];

  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  note?: string;

  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class AllowlistReasonQueryDto {
  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class AllowlistAddResponseDto {
  /** Subjects that were not on the allowlist before. */
  added: number;
  /** Subjects of the request that were on it already (idempotent). */
  alreadyPresent: number;
  /** Subjects on the allowlist now. */
  count: number;
}

export class AllowlistClearResponseDto {
  removed: number;
  count: number;
}

export class AllowlistEntryResponseDto {
  subjectId: string;
  addedBy: string;
  addedAt: string;
  note: string | null;
}

export class AllowlistPageResponseDto {
  items: AllowlistEntryResponseDto[];
  count: number;
  nextCursor: string | null;
}
