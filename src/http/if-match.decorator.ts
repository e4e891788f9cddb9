import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

function header(name: string, context: ExecutionContext): string | undefined {
  const value = context.switchToHttp().getRequest<FastifyRequest>().headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The `If-Match` header, or undefined. (A plain @Headers() would be documented as required.) */
export const IfMatch = createParamDecorator((_: unknown, context: ExecutionContext) => header('if-match', context));

/** OpenAPI description of the optional If-Match header of writes to a flag. */
export const IF_MATCH_HEADER = {
  name: 'If-Match',
  required: false,
  description: "The flag's ETag (its version); a stale one answers 412 VERSION_CONFLICT.",
};
