import { HttpStatus } from '@nestjs/common';

export type FieldProblem = Readonly<{ field: string; message: string }>;

/**
 * An error with a stable machine `code`, rendered by ProblemFilter as application/problem+json.
 * It never reads request context: it is thrown from cron ticks too.
 */
export class AppError extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly code: string,
    readonly detail: string,
    readonly extra: Readonly<{ errors?: FieldProblem[]; [key: string]: unknown }> = {},
    /** Response headers that go with the answer (not part of the problem body). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
  }

  static validation(errors: FieldProblem[], detail = 'The request is not valid.'): AppError {
    return new AppError(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', detail, { errors });
  }

  static notFound(code: string, detail: string): AppError {
    return new AppError(HttpStatus.NOT_FOUND, code, detail);
  }

  static permissionDenied(permission: string): AppError {
    return new AppError(HttpStatus.FORBIDDEN, 'PERMISSION_DENIED', `This action needs the permission ${permission}.`, {
      permission,
    });
  }

  static unauthenticated(detail = 'Valid credentials are required.'): AppError {
    return new AppError(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', detail);
  }

  static versionConflict(currentVersion: number): AppError {
    return new AppError(
      HttpStatus.PRECONDITION_FAILED,
      'VERSION_CONFLICT',
      `If-Match does not match the current version ${currentVersion}.`,
      { currentVersion },
    );
  }
}
