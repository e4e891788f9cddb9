import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ACCESS_METADATA, AccessRule } from 'src/auth/access.decorator';
import { AccessGuard, JwtAuthGuard } from 'src/auth/access.guard';
import { authFailure } from 'src/auth/auth-failures';
import { Permission, PrincipalRole, ROLE_PERMISSIONS } from 'src/auth/permissions';
import { Principal } from 'src/auth/principal';
import { ServiceTokensService } from 'src/auth/service-tokens.service';
import { AppError } from 'src/http/app-error';

const principal = (role: PrincipalRole): Principal => ({ kind: 'user', id: 'u1', name: 'someone@x.test', role });

/** A fake execution context around a handler with the given access rule and request headers. */
function contextFor(rule: AccessRule | undefined, headers: Record<string, string>) {
  const handler = () => undefined;
  if (rule) Reflect.defineMetadata(ACCESS_METADATA, rule, handler);
  const request: Record<string, unknown> = { headers };
  const context = {
    getHandler: () => handler,
    getClass: () => class Controller {},
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { context, request };
}

function guardAs(user: Principal | null): AccessGuard {
  const jwt = {
    canActivate: async (context: ExecutionContext) => {
      if (!user) throw AppError.unauthenticated();
      context.switchToHttp().getRequest<{ user?: Principal }>().user = user;
      return true;
    },
  } as unknown as JwtAuthGuard;
  const tokens = {
    authenticate: (secret: string) => {
      if (secret === 'fds_telemetry') {
        return {
          kind: 'service',
          id: 't2',
          name: 'reporter',
          role: 'SERVICE',
          permissions: new Set([Permission.TELEMETRY_WRITE]),
        } satisfies Principal;
      }
      if (secret !== 'fds_good') throw authFailure('SERVICE_TOKEN_UNKNOWN');
      return {
        kind: 'service',
        id: 't1',
        name: 'matcher',
        role: 'SERVICE',
        permissions: new Set([Permission.FLAGS_EVALUATE]),
      } satisfies Principal;
    },
  } as unknown as ServiceTokensService;
  return new AccessGuard(new Reflector(), jwt, tokens);
}

/** The guard's verdict, whether it decides synchronously (service tokens) or not (JWT). */
const codeOf = (decide: () => boolean | Promise<boolean>) =>
  Promise.resolve()
    .then(decide)
    .then(
      () => 'allowed',
      (error: AppError) => `${error.status} ${error.code}`,
    );

describe('AccessGuard', () => {
  it('refuses a route that declares no rule, even for a super admin', async () => {
    const { context } = contextFor(undefined, { authorization: 'Bearer x' });
    expect(await codeOf(() => guardAs(principal('SUPER_ADMIN')).canActivate(context))).toBe('403 ROUTE_NOT_DECLARED');
  });

  it('lets anyone through a public route', async () => {
    const { context } = contextFor({ public: true }, {});
    expect(await codeOf(() => guardAs(null).canActivate(context))).toBe('allowed');
  });

  it('answers 401 without credentials and 403 naming the permission for the wrong role', async () => {
    const rule: AccessRule = { public: false, permission: Permission.ALLOWLIST_ADD };
    expect(await codeOf(() => guardAs(null).canActivate(contextFor(rule, {}).context))).toBe('401 CREDENTIALS_MISSING');
    expect(
      await codeOf(() => guardAs(null).canActivate(contextFor(rule, { authorization: 'Basic abc' }).context)),
    ).toBe('401 CREDENTIALS_MALFORMED');
    const denied = await Promise.resolve()
      .then(() => guardAs(principal('OPERATOR')).canActivate(contextFor(rule, { authorization: 'Bearer jwt' }).context))
      .catch((error: AppError) => error);
    expect(denied).toMatchObject({ status: 403, code: 'PERMISSION_DENIED', extra: { permission: 'allowlist:add' } });
  });

  it('accepts service tokens as X-API-Key or bearer, with the SERVICE role only', async () => {
    const evaluate: AccessRule = { public: false, permission: Permission.FLAGS_EVALUATE };
    const read: AccessRule = { public: false, permission: Permission.FLAGS_READ };
    const guard = guardAs(null);
    const viaKey = contextFor(evaluate, { 'x-api-key': 'fds_good' });
    expect(await codeOf(() => guard.canActivate(viaKey.context))).toBe('allowed');
    expect(viaKey.request.principal).toMatchObject({ role: 'SERVICE', name: 'matcher' });
    expect(
      await codeOf(() => guard.canActivate(contextFor(evaluate, { authorization: 'Bearer fds_good' }).context)),
    ).toBe('allowed');
    expect(await codeOf(() => guard.canActivate(contextFor(read, { 'x-api-key': 'fds_good' }).context))).toBe(
      '403 PERMISSION_DENIED',
    );
    expect(await codeOf(() => guard.canActivate(contextFor(evaluate, { 'x-api-key': 'fds_bad' }).context))).toBe(
      '401 SERVICE_TOKEN_UNKNOWN',
    );
  });

  it('lets a service token do only what it was created for, and no person send telemetry', async () => {
    const telemetry: AccessRule = { public: false, permission: Permission.TELEMETRY_WRITE };
    const evaluate: AccessRule = { public: false, permission: Permission.FLAGS_EVALUATE };
    const guard = guardAs(null);
    expect(await codeOf(() => guard.canActivate(contextFor(telemetry, { 'x-api-key': 'fds_telemetry' }).context))).toBe(
      'allowed',
    );
    expect(await codeOf(() => guard.canActivate(contextFor(telemetry, { 'x-api-key': 'fds_good' }).context))).toBe(
      '403 PERMISSION_DENIED',
    );
    expect(await codeOf(() => guard.canActivate(contextFor(evaluate, { 'x-api-key': 'fds_telemetry' }).context))).toBe(
      '403 PERMISSION_DENIED',
    );
    for (const role of ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER'] as const) {
      const context = contextFor(telemetry, { authorization: 'Bearer jwt' }).context;
      expect([role, await codeOf(() => guardAs(principal(role)).canActivate(context))]).toEqual([
        role,
        '403 PERMISSION_DENIED',
      ]);
    }
  });
});

describe('the permission table', () => {
  const who = (permission: Permission) =>
    (Object.keys(ROLE_PERMISSIONS) as PrincipalRole[]).filter((role) => ROLE_PERMISSIONS[role].has(permission));

  it.each([
    [Permission.FLAGS_READ, ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER']],
    [Permission.FLAGS_CREATE, ['SUPER_ADMIN']],
    [Permission.FLAGS_ARCHIVE, ['SUPER_ADMIN']],
    [Permission.FLAGS_EXPAND_EXPOSURE, ['SUPER_ADMIN']],
    [Permission.FLAGS_DESCRIBE, ['SUPER_ADMIN']],
    [Permission.FLAGS_REDUCE_EXPOSURE, ['SUPER_ADMIN', 'OPERATOR']],
    [Permission.ALLOWLIST_ADD, ['SUPER_ADMIN']],
    [Permission.ALLOWLIST_REMOVE, ['SUPER_ADMIN', 'OPERATOR']],
    [Permission.CHECKPOINTS_RUN, ['SUPER_ADMIN', 'OPERATOR']],
    [Permission.COMPLAINTS_WRITE, ['SUPER_ADMIN', 'OPERATOR']],
    [Permission.CHECKLIST_SIGN, ['SUPER_ADMIN', 'OPERATOR']],
    [Permission.PHASES_MANAGE, ['SUPER_ADMIN']],
    [Permission.USERS_MANAGE, ['SUPER_ADMIN']],
    [Permission.SERVICE_TOKENS_MANAGE, ['SUPER_ADMIN']],
    [Permission.FLAGS_EVALUATE, ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER', 'SERVICE']],
    [Permission.TELEMETRY_WRITE, ['SERVICE']],
  ])('%s belongs to %j', (permission, roles) => {
    expect(who(permission)).toEqual(roles);
  });
});
