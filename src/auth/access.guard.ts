import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ACCESS_METADATA, AccessRule, AuthenticatedRequest } from 'src/auth/access.decorator';
import { principalHasPermission } from 'src/auth/permissions';
import { Principal } from 'src/auth/principal';
import { SERVICE_TOKEN_PREFIX, ServiceTokensService } from 'src/auth/service-tokens.service';
import { AppError } from 'src/http/app-error';

/** passport-jwt through @nestjs/passport, answering 401 problem+json on any failure. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<T>(error: unknown, principal: T): T {
    // "Cannot know now" is not "not signed in": a database outage answers 503, never 401.
    if (error instanceof AppError && error.status === 503) throw error;
    if (error || !principal) throw AppError.unauthenticated();
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

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (rule === undefined) {
      throw new AppError(403, 'ROUTE_NOT_DECLARED', 'This route declares no access rule, so it is closed.');
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { user?: Principal }>();
    if (rule.public) {
      if (rule.identify === true && hasCredentials(request)) {
        // Best effort: a refused or unverifiable credential leaves the request anonymous.
        request.principal = await this.authenticate(context, request).catch(() => undefined);
      }
      return true;
    }
    const principal = await this.authenticate(context, request);
    request.principal = principal;
    if (!principalHasPermission(principal, rule.permission)) throw AppError.permissionDenied(rule.permission);
    return true;
  }

  private async authenticate(
    context: ExecutionContext,
    request: AuthenticatedRequest & { user?: Principal },
  ): Promise<Principal> {
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey === 'string') return this.serviceTokens.authenticate(apiKey);
    const authorization = request.headers.authorization;
    if (typeof authorization !== 'string' || !/^Bearer\s+\S+$/i.test(authorization)) {
      throw AppError.unauthenticated();
    }
    const bearer = authorization.slice(authorization.indexOf(' ') + 1).trim();
    if (bearer.startsWith(SERVICE_TOKEN_PREFIX)) return this.serviceTokens.authenticate(bearer);
    await this.jwt.canActivate(context);
    if (!request.user) throw AppError.unauthenticated();
    return request.user;
  }
}

function hasCredentials(request: AuthenticatedRequest): boolean {
  return typeof request.headers['x-api-key'] === 'string' || typeof request.headers.authorization === 'string';
}
