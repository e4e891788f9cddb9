import { QueryFailedError } from 'typeorm';

/** A PostgreSQL unique violation (SQLSTATE 23505), e.g. two creates racing past a check. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string } | undefined)?.code === '23505';
}
