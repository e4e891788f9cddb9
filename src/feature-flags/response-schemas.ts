import type { FastifySchema } from 'fastify';

/**
 * Response schemas of the single-flag evaluation answers (both bulk answers are written as text,
 * a join of cached per-flag texts, `AnswerTexts`), so that Fastify writes them with a serialiser
 * compiled from the schema instead of `JSON.stringify` (about a tenth of an OFREP request's CPU
 * in a profile under load). They must list every field the answer has, in the
 * order it has them: a field left out here would be dropped from the answer. The e2e tests
 * compare whole answers, so a field added to a DTO and not here fails them.
 */
const nullableInteger = { type: ['integer', 'null'] } as const;

export const EVALUATION_RESPONSE_SCHEMA: FastifySchema = {
  response: {
    200: {
      type: 'object',
      properties: {
        key: { type: 'string' },
        subjectId: { type: 'string' },
        enabled: { type: 'boolean' },
        reason: { type: 'string' },
        bucket: nullableInteger,
        version: nullableInteger,
      },
    },
  },
};

export const OFREP_RESPONSE_SCHEMA: FastifySchema = {
  response: {
    200: {
      type: 'object',
      properties: {
        key: { type: 'string' },
        value: { type: 'boolean' },
        variant: { type: 'string' },
        reason: { type: 'string' },
        metadata: {
          type: 'object',
          properties: {
            flagdogReason: { type: 'string' },
            version: nullableInteger,
            killSwitch: { type: 'string' },
          },
        },
      },
    },
  },
};
