import type { EvaluationDetails, FlagValue } from '@openfeature/server-sdk';

/**
 * The flagdog variant an answer served: flagdog's (and the OFREP provider's) `on`/`off`, or,
 * for a provider that names variants otherwise, the boolean value served. Null for an
 * evaluation that failed (the default value was served, and no provider decided it) and for
 * a non-boolean flag without an `on`/`off` variant.
 */
export function servedVariant(details: EvaluationDetails<FlagValue>): 'on' | 'off' | null {
  if (details.errorCode !== undefined) return null;
  if (details.variant === 'on' || details.variant === 'off') return details.variant;
  if (typeof details.value === 'boolean') return details.value ? 'on' : 'off';
  return null;
}

/**
 * flagdog's subject ID rule (1–128 code points, well-formed Unicode, no control characters).
 * flagdog refuses a whole matching event with another subject ID, so such an ID is left out.
 */
export function validSubjectId(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || !value.isWellFormed()) return null;
  if ([...value].length > 128 || /\p{Cc}/u.test(value)) return null;
  return value;
}
