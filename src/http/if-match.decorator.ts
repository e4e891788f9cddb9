import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** The `If-Match` header, or undefined. (A plain @Headers() would be documented as required.) */
export const IfMatch = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => {
  const value = context.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  return typeof value === 'string' ? value : undefined;
});
