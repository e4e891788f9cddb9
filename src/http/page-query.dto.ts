import { IsOmittable } from 'src/http/is-omittable.decorator';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppError } from 'src/http/app-error';

export class PageQueryDto {
  /** Page size, 1–500. */
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;

  /** The `nextCursor` of the previous page. */
  @IsOmittable()
  @IsString()
  @MaxLength(1024)
  cursor?: string;
}

/** Cursors are opaque to clients: base64url of a small JSON value. */
export function encodeCursor(value: string | number): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<T extends string | number>(
  cursor: string | undefined,
  kind: 'string' | 'number',
): T | null {
  if (cursor === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // A number cursor is a row id: a non-negative safe integer, never something the database refuses.
    if (typeof value === kind && (kind === 'string' || (Number.isSafeInteger(value) && (value as number) >= 0)))
      return value as T;
  } catch {
    // fall through to the validation error
  }
  throw AppError.validation([{ field: 'cursor', message: 'cursor is not one this API returned' }]);
}
