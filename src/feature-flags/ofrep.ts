import type { FastifyReply } from 'fastify';
import { hash } from 'node:crypto';
import { AnswerText, AnswerTexts } from 'src/feature-flags/answer-texts';
import { subjectIdProblem } from 'src/feature-flags/subject-id';
import { FLAG_KEY_PATTERN } from 'src/feature-flags/flag-key.pipe';
import type { Evaluation } from 'src/feature-flags/resolver';

/** OpenFeature Remote Evaluation Protocol shapes (docs/openfeature.md). */
export type OfrepReason = 'TARGETING_MATCH' | 'SPLIT' | 'DISABLED';

export type OfrepSuccess = Readonly<{
  key: string;
  value: boolean;
  variant: 'on' | 'off';
  reason: OfrepReason;
  metadata: Readonly<{ flagdogReason: string; version: number | null; killSwitch?: 'env' }>;
}>;

export type OfrepFailure = Readonly<{
  key?: string;
  errorCode: 'FLAG_NOT_FOUND' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'PARSE_ERROR' | 'GENERAL';
  errorDetails: string;
}>;

/** A failure with its HTTP status; the OFREP filter sends it in the protocol's own shape. */
export class OfrepError extends Error {
  constructor(
    readonly status: 400 | 404,
    readonly body: OfrepFailure,
  ) {
    super(body.errorDetails);
  }
}

/** The targeting key of an OFREP request body `{context: {targetingKey, …}}`. */
export function targetingKeyOf(body: unknown, key?: string): string {
  const context = (body as { context?: unknown } | null | undefined)?.context;
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new OfrepError(400, {
      key,
      errorCode: 'INVALID_CONTEXT',
      errorDetails: 'The body must be {"context": {"targetingKey": "…"}}.',
    });
  }
  const targetingKey = (context as { targetingKey?: unknown }).targetingKey;
  if (targetingKey === undefined || targetingKey === null || targetingKey === '') {
    throw new OfrepError(400, {
      key,
      errorCode: 'TARGETING_KEY_MISSING',
      errorDetails: 'context.targetingKey is required.',
    });
  }
  const problem = subjectIdProblem(targetingKey);
  if (problem !== null) {
    throw new OfrepError(400, { key, errorCode: 'INVALID_CONTEXT', errorDetails: `context.targetingKey ${problem}.` });
  }
  return targetingKey as string;
}

const REASONS: Record<string, OfrepReason> = {
  ALLOWLIST: 'TARGETING_MATCH',
  ROLLOUT: 'SPLIT',
  ROLLOUT_EXCLUDED: 'SPLIT',
  DISABLED: 'DISABLED',
  MASTER_SWITCH: 'DISABLED',
};

export function toOfrep(key: string, evaluation: Evaluation): OfrepSuccess {
  const metadata =
    evaluation.reason === 'MASTER_SWITCH'
      ? { flagdogReason: evaluation.reason, version: evaluation.version, killSwitch: 'env' as const }
      : { flagdogReason: evaluation.reason, version: evaluation.version };
  return {
    key,
    value: evaluation.enabled,
    variant: evaluation.enabled ? 'on' : 'off',
    reason: REASONS[evaluation.reason],
    metadata,
  };
}

/** One flag's OFREP answer as JSON text, cached per flag version and outcome (AnswerTexts). */
export class OfrepAnswerTexts extends AnswerTexts {
  constructor() {
    super(toOfrep);
  }
}

/**
 * A bulk answer `{"flags": [...]}` over these texts, with its strong ETag. The tag is a digest
 * of the texts' own digests, in order: the answer is made of exactly these texts, so equal
 * answers get equal tags (on every instance, as the texts are), and hashing ~20 short digests
 * costs a third of hashing the whole answer.
 */
export function bulkAnswer(texts: readonly AnswerText[]): Readonly<{ json: string; etag: string }> {
  let json = '{"flags":[';
  let digests = '';
  for (let i = 0; i < texts.length; i++) {
    if (i > 0) json += ',';
    json += texts[i].json;
    digests += texts[i].digest;
  }
  return { json: `${json}]}`, etag: `"${hash('sha256', digests, 'base64url').slice(0, 27)}"` };
}

/**
 * Sends the JSON text `json` with its strong ETag, or 304 with no body when the client's copy
 * is current. If-None-Match compares weakly (RFC 9110 §13.1.2): `W/"…"`, as a compressing proxy
 * may send it back, matches too.
 */
export function sendWithEtag(
  reply: FastifyReply,
  answer: Readonly<{ json: string; etag: string }>,
  ifNoneMatch: string | undefined,
): void {
  reply.header('etag', answer.etag);
  if (ifNoneMatch !== undefined && matchesAny(ifNoneMatch, answer.etag)) {
    reply.status(304).send();
    return;
  }
  reply.status(200).type('application/json; charset=utf-8').send(answer.json);
}

function matchesAny(ifNoneMatch: string, etag: string): boolean {
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || (trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed) === etag;
  });
}

export type OfrepTarget = Readonly<{ key: string; subjectId: string }>;

/**
 * The flag key (path) and targeting key (body) of a single OFREP evaluation, in one synchronous
 * step. Called by the handler with the request rather than through a parameter decorator: Nest
 * runs the global pipe, asynchronously, on every decorated parameter, and this is a hot path.
 */
export function ofrepTargetOf(request: Readonly<{ params: unknown; body: unknown }>): OfrepTarget {
  const { key } = request.params as { key: string };
  if (!FLAG_KEY_PATTERN.test(key)) {
    throw new OfrepError(404, {
      key: key.slice(0, 64),
      errorCode: 'FLAG_NOT_FOUND',
      errorDetails: 'No flag has a key of this form.',
    });
  }
  return { key, subjectId: targetingKeyOf(request.body, key) };
}
