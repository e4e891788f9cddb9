import type { FastifyReply } from 'fastify';
import { hash } from 'node:crypto';
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

/**
 * The JSON text of one flag's OFREP answer, kept per flag version and outcome: an answer depends
 * on the subject only through its outcome (reason and value), so a bulk answer is a join of a
 * few texts per flag, written once each, rather than a serialisation of every flag per request.
 * A flag's texts are dropped when its version changes.
 */
export class OfrepAnswerTexts {
  private readonly byKey = new Map<string, { version: number | null; texts: Map<string, string> }>();

  of(key: string, evaluation: Evaluation): string {
    let entry = this.byKey.get(key);
    if (entry === undefined || entry.version !== evaluation.version) {
      entry = { version: evaluation.version, texts: new Map() };
      this.byKey.set(key, entry);
    }
    const outcome = `${evaluation.reason} ${evaluation.enabled}`;
    let text = entry.texts.get(outcome);
    if (text === undefined) {
      text = JSON.stringify(toOfrep(key, evaluation));
      entry.texts.set(outcome, text);
    }
    return text;
  }
}

/** A strong ETag of a bulk answer, from its JSON text: equal bodies, equal tags. */
export function etagOf(json: string): string {
  return `"${hash('sha256', json, 'base64url').slice(0, 27)}"`;
}

/**
 * Sends the JSON text `json` with its strong ETag, or 304 with no body when the client's copy
 * is current: one text for the tag and the answer alike. If-None-Match compares weakly
 * (RFC 9110 §13.1.2): `W/"…"`, as a compressing proxy may send it back, matches too.
 */
export function sendWithEtag(reply: FastifyReply, json: string, ifNoneMatch: string | undefined): void {
  const etag = etagOf(json);
  reply.header('etag', etag);
  if (ifNoneMatch !== undefined && matchesAny(ifNoneMatch, etag)) {
    reply.status(304).send();
    return;
  }
  reply.status(200).type('application/json; charset=utf-8').send(json);
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
