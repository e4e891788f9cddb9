import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ACCESS_METADATA, AccessRule, AuthenticatedRequest } from 'src/auth/access.decorator';
import { authFailure, jwtFailureCode } from 'src/auth/auth-failures';
import { Permission, principalHasPermission } from 'src/auth/permissions';
import { Principal } from 'src/auth/principal';
import { SERVICE_TOKEN_PREFIX, ServiceTokensService } from 'src/auth/service-tokens.service';
import { AppError } from 'src/http/app-error';

/** passport-jwt through @nestjs/passport, answering 401 problem+json that says why on any failure. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<T>(error: unknown, principal: T, info?: unknown): T {
    // Our own answers pass through: the user's state (auth-failures.ts), or a database outage,
    // which answers 503, never 401 ("cannot know now" is not "not signed in").
    if (error instanceof AppError) throw error;
    if (error || !principal) throw authFailure(jwtFailureCode(info));
    return principal;
  }
}

/**
 * The one global guard. Deny by default: a route without @Public() or @Allow(...) is refused
 * for everyone, so forgetting the declaration can never open a route.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtAuthGuard,
    private readonly serviceTokens: ServiceTokensService,
  ) {}

  /** Each route's rule, read from its metadata once: decorators do not change after start-up. */
  private readonly rules = new WeakMap<object, WeakMap<object, AccessRule | undefined>>();

  /** Synchronous for service tokens (the evaluation hot path); a JWT is checked asynchronously. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const rule = this.ruleOf(context);
    if (rule === undefined) {
      throw new AppError(403, 'ROUTE_NOT_DECLARED', 'This route declares no access rule, so it is closed.');
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { user?: Principal }>();
    if (rule.public) return rule.identify === true && hasCredentials(request) ? this.identify(context, request) : true;
    const serviceSecret = serviceSecretOf(request);
    if (serviceSecret !== undefined)
      return this.authorize(request, this.serviceTokens.authenticate(serviceSecret), rule.permission);
    return this.authenticateUser(context, request).then((principal) =>
      this.authorize(request, principal, rule.permission),
    );
  }

  private ruleOf(context: ExecutionContext): AccessRule | undefined {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byController = this.rules.get(handler);
    if (byController === undefined) this.rules.set(handler, (byController = new WeakMap()));
    if (!byController.has(controller)) {
      byController.set(
        controller,
        this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [handler, controller]),
      );
    }
    return byController.get(controller);
  }

  /** A public route that says more to a caller it knows: best effort, a refused credential leaves it anonymous. */
  private async identify(
    context: ExecutionContext,
    request: AuthenticatedRequest & { user?: Principal },
  ): Promise<true> {
    try {
      const serviceSecret = serviceSecretOf(request);
      request.principal =
        serviceSecret !== undefined
          ? this.serviceTokens.authenticate(serviceSecret)
          : await this.authenticateUser(context, request);
    } catch {
      request.principal = undefined;
    }
    return true;
  }

  private authorize(request: AuthenticatedRequest, principal: Principal, permission: Permission): boolean {
    request.principal = principal;
    if (!principalHasPermission(principal, permission)) throw AppError.permissionDenied(permission);
    return true;
  }

  private async authenticateUser(
    context: ExecutionContext,
    request: AuthenticatedRequest & { user?: Principal },
  ): Promise<Principal> {
    await this.jwt.canActivate(context);
    if (!request.user) throw authFailure('CREDENTIALS_MISSING');
    return request.user;
  }
}

function hasCredentials(request: AuthenticatedRequest): boolean {
  return typeof request.headers['x-api-key'] === 'string' || typeof request.headers.authorization === 'string';
}

/**
 * The service-token secret of a request (X-API-Key, or a bearer credential with the service
 * token prefix), or undefined when the caller must be a signed-in user. Anything else that is
 * not a well-formed bearer credential is refused here.
 */
function serviceSecretOf(request: AuthenticatedRequest): string | undefined {
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string') throw authFailure('CREDENTIALS_MISSING');
  if (!/^Bearer\s+\S+$/i.test(authorization)) throw authFailure('CREDENTIALS_MALFORMED');
  const bearer = authorization.slice(authorization.indexOf(' ') + 1).trim();
  return bearer.startsWith(SERVICE_TOKEN_PREFIX) ? bearer : undefined;
}
