import type { FastifyRequest } from 'fastify';
import { subjectIdProblem } from 'src/feature-flags/subject-id';
import { FLAG_KEY_PATTERN } from 'src/feature-flags/flag-key.pipe';
import { AppError } from 'src/http/app-error';

export type EvaluationTarget = Readonly<{ key: string; subjectId: string }>;

/**
 * The flag key (path) and subject ID (query) of `GET …/:key/evaluate`, checked in one
 * synchronous step: the same rules and 400 answers as the pipes elsewhere. Called by the handler
 * with the request rather than through a parameter decorator: Nest runs the global pipe,
 * asynchronously, on every decorated parameter, and this is the busiest route.
 */
export function evaluationTargetOf(request: FastifyRequest): EvaluationTarget {
  const { key } = request.params as { key: string };
  const { subjectId } = request.query as { subjectId?: unknown };
  if (!FLAG_KEY_PATTERN.test(key)) {
    throw AppError.validation([
      { field: 'key', message: 'key must match ^[a-z][a-z0-9_]{2,63}$ (lowercase letters, digits, underscores)' },
    ]);
  }
  const problem = subjectIdProblem(subjectId);
  if (problem !== null) throw AppError.validation([{ field: 'subjectId', message: `subjectId ${problem}` }]);
  // The query parser keeps a malformed %-escape as raw text; that is a bad request, not a subject.
  if ((subjectId as string).includes('%') && !wellEncoded(request.raw.url ?? '')) {
    throw AppError.validation([{ field: 'subjectId', message: 'subjectId has a malformed %-encoding' }]);
  }
  return { key, subjectId: subjectId as string };
}

function wellEncoded(url: string): boolean {
  const query = url.slice(url.indexOf('?') + 1);
  try {
    for (const pair of query.split('&')) decodeURIComponent(pair.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}
