import { subjectIdProblem } from 'src/feature-flags/subject-id';
import { FLAG_KEY_PATTERN } from 'src/feature-flags/flag-key.pipe';
import { AppError, FieldProblem } from 'src/http/app-error';

export type BulkEvaluationRequest = Readonly<{ subjectId: string; keys?: readonly string[] }>;

export const MAX_BULK_KEYS = 500;

/**
 * The body of `POST /api/feature-flags/evaluate`, checked by hand in one synchronous step:
 * the rules of BulkEvaluationRequestDto (which documents them in OpenAPI) with the same 400
 * answers, without class-transformer and class-validator on an evaluation route (a spec
 * holds the two to the same verdicts). Called by the handler with the request's body rather
 * than as a parameter pipe: Nest runs the global pipe, asynchronously, on every decorated
 * parameter.
 */
export function bulkEvaluationRequestOf(body: unknown): BulkEvaluationRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw AppError.validation([{ field: '', message: 'the body must be a JSON object' }]);
  }
  const problems: FieldProblem[] = [];
  for (const field of Object.keys(body)) {
    if (field !== 'subjectId' && field !== 'keys')
      problems.push({ field, message: `property ${field} should not exist` });
  }
  const { subjectId, keys } = body as { subjectId?: unknown; keys?: unknown };
  const subjectProblem = subjectIdProblem(subjectId);
  if (subjectProblem !== null) problems.push({ field: 'subjectId', message: `subjectId ${subjectProblem}` });
  if (keys !== undefined) {
    if (!Array.isArray(keys)) {
      problems.push({ field: 'keys', message: 'keys must be an array' });
    } else {
      if (keys.length > MAX_BULK_KEYS) {
        problems.push({ field: 'keys', message: `keys must contain no more than ${MAX_BULK_KEYS} elements` });
      }
      if (!keys.every((key) => typeof key === 'string' && FLAG_KEY_PATTERN.test(key))) {
        problems.push({ field: 'keys', message: 'each key must match ^[a-z][a-z0-9_]{2,63}$' });
      }
    }
  }
  if (problems.length > 0) throw AppError.validation(problems);
  return keys === undefined
    ? { subjectId: subjectId as string }
    : { subjectId: subjectId as string, keys: keys as string[] };
}
