import { SetMetadata, applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AUTH_FAILURES } from 'src/auth/auth-failures';
import { Permission } from 'src/auth/permissions';
import { Actor, Principal } from 'src/auth/principal';

export const ACCESS_METADATA = 'flagdog:access';

const UNAUTHORIZED_DESCRIPTION =
  'Missing, malformed, expired or refused credentials; `code` says which: ' +
  `${Object.keys(AUTH_FAILURES).join(', ')} (docs/security.md).`;

export type AccessRule =
  Readonly<{ public: true; identify?: boolean }> | Readonly<{ public: false; permission: Permission }>;

/** The route is open to anyone (login, health). Every other route must say @Allow(...). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_METADATA, { public: true });

/**
 * Open to anyone, but credentials sent along are checked: a valid one sets the request's
 * principal (the route may then show more), an invalid or unverifiable one is ignored.
 */
export const PublicIdentified = (): MethodDecorator => SetMetadata(ACCESS_METADATA, { public: true, identify: true });

/**
 * The route needs this permission; the role → permission table (permissions.ts) decides who
 * has it. Also documents the security scheme and the 401/403 answers in OpenAPI.
 */
export const Allow = (permission: Permission): MethodDecorator =>
  applyDecorators(
    SetMetadata(ACCESS_METADATA, { public: false, permission }),
    ApiBearerAuth(),
    ApiSecurity('apiKey'),
    ApiUnauthorizedResponse({ description: UNAUTHORIZED_DESCRIPTION }),
    ApiForbiddenResponse({ description: `The caller lacks the permission \`${permission}\` (PERMISSION_DENIED).` }),
  );

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without @Allow');
  return principal;
});

/** The audit actor of the current request: who, in which role, under which request id. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.principal) throw new Error('CurrentActor used on a route without @Allow');
  return actorOf(request.principal, request.id);
});

export function actorOf(principal: Principal, requestId: string | null): Actor {
  return { name: principal.name, role: principal.role, requestId };
}
