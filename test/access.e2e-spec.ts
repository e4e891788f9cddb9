import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import { ACCESS_METADATA, AccessRule } from 'src/auth/access.decorator';
import { hotPathOf } from 'src/http/hot-path';
import { newFlag, startTestApp, TestApp } from './support/test-app';

/** SERVICE: a token made to evaluate (the default); TELEMETRY: a token made to send telemetry only. */
type Caller = 'SUPER_ADMIN' | 'OPERATOR' | 'ANGEL_VIEWER' | 'SERVICE' | 'TELEMETRY' | 'ANONYMOUS';
const CALLERS: Caller[] = ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER', 'SERVICE', 'TELEMETRY', 'ANONYMOUS'];

type Route = Readonly<{ method: string; path: string }>;

/** The permission table (README, Roles) written out by hand: who may call each mutating route. */
const MUTATIONS: ReadonlyArray<Route & { allowed: Caller[]; body?: object }> = [
  { method: 'POST', path: '/api/admin/feature-flags', allowed: ['SUPER_ADMIN'], body: { key: 'matrix_created_flag' } },
  {
    method: 'PUT',
    path: '/api/admin/feature-flags/:key',
    allowed: ['SUPER_ADMIN', 'OPERATOR'],
    body: { enabled: false, rolloutPercentage: 0 },
  },
  {
    method: 'PATCH',
    path: '/api/admin/feature-flags/:key',
    allowed: ['SUPER_ADMIN', 'OPERATOR'],
    body: { rolloutPercentage: 0 },
  },
  { method: 'DELETE', path: '/api/admin/feature-flags/:key', allowed: ['SUPER_ADMIN'] },
  {
    method: 'POST',
    path: '/api/admin/feature-flags/:key/allowlist',
    allowed: ['SUPER_ADMIN'],
    body: { subjectIds: ['p1'] },
  },
  { method: 'DELETE', path: '/api/admin/feature-flags/:key/allowlist', allowed: ['SUPER_ADMIN', 'OPERATOR'] },
  {
    method: 'DELETE',
    path: '/api/admin/feature-flags/:key/allowlist/:subjectId',
    allowed: ['SUPER_ADMIN', 'OPERATOR'],
  },
  {
    method: 'POST',
    path: '/api/admin/users',
    allowed: ['SUPER_ADMIN'],
    body: { email: 'x@y.test', password: 'short', role: 'OPERATOR' },
  },
  { method: 'PATCH', path: '/api/admin/users/:id', allowed: ['SUPER_ADMIN'], body: {} },
  { method: 'DELETE', path: '/api/admin/users/:id', allowed: ['SUPER_ADMIN'] },
  { method: 'POST', path: '/api/admin/service-tokens', allowed: ['SUPER_ADMIN'], body: { name: '' } },
  { method: 'DELETE', path: '/api/admin/service-tokens/:id', allowed: ['SUPER_ADMIN'] },
  {
    method: 'POST',
    path: '/api/admin/beta-monitor/:key/run',
    allowed: ['SUPER_ADMIN', 'OPERATOR'],
    body: { phase: 'phase1_beta' },
  },
  { method: 'PUT', path: '/api/admin/beta-monitor/:key/phases', allowed: ['SUPER_ADMIN'], body: { phases: [] } },
  { method: 'POST', path: '/api/admin/beta-monitor/:key/phases/:phase/start', allowed: ['SUPER_ADMIN'], body: {} },
  { method: 'POST', path: '/api/admin/beta-monitor/:key/complaints', allowed: ['SUPER_ADMIN', 'OPERATOR'], body: {} },
  {
    method: 'POST',
    path: '/api/admin/beta-monitor/:key/rollback',
    allowed: ['SUPER_ADMIN', 'OPERATOR'],
    body: { level: 1 },
  },
  {
    method: 'PUT',
    path: '/api/admin/beta-monitor/:key/go-no-go/checklist/:item',
    allowed: ['SUPER_ADMIN', 'OPERATOR'],
    body: { status: 'PASS' },
  },
  { method: 'POST', path: '/api/admin/beta-monitor/:key/advance', allowed: ['SUPER_ADMIN'], body: {} },
  {
    method: 'POST',
    path: '/api/admin/beta-monitor/:key/checkpoints/:id/alerts/:code/dismiss',
    allowed: ['SUPER_ADMIN'],
    body: { reason: 'reviewed' },
  },
];

const READERS: Caller[] = ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER'];

/** Reads; `status` is what an allowed caller gets when it is not 200 (a missing checkpoint). */
const READS: ReadonlyArray<Route & { allowed: Caller[]; status?: number }> = [
  { method: 'GET', path: '/api/admin/feature-flags', allowed: ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER'] },
  { method: 'GET', path: '/api/admin/feature-flags/:key', allowed: ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER'] },
  {
    method: 'GET',
    path: '/api/admin/feature-flags/:key/history',
    allowed: ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER'],
  },
  {
    method: 'GET',
    path: '/api/admin/feature-flags/:key/allowlist',
    allowed: ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER'],
  },
  { method: 'GET', path: '/api/admin/users', allowed: ['SUPER_ADMIN'] },
  { method: 'GET', path: '/api/admin/service-tokens', allowed: ['SUPER_ADMIN'] },
  { method: 'GET', path: '/api/admin/audit', allowed: ['SUPER_ADMIN'] },
  { method: 'GET', path: '/api/auth/me', allowed: ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER', 'SERVICE'] },
  { method: 'GET', path: '/api/admin/beta-monitor/:key/checkpoints', allowed: READERS },
  { method: 'GET', path: '/api/admin/beta-monitor/:key/checkpoints/:id', allowed: READERS, status: 404 },
  { method: 'GET', path: '/api/admin/beta-monitor/:key/status', allowed: READERS },
  { method: 'GET', path: '/api/admin/beta-monitor/:key/phases', allowed: READERS },
  { method: 'GET', path: '/api/admin/beta-monitor/:key/complaints', allowed: READERS },
  // The flag here has no started phase, so the decision answers 409 NO_ACTIVE_PHASE.
  { method: 'GET', path: '/api/admin/beta-monitor/:key/go-no-go', allowed: READERS, status: 409 },
];

/** Evaluation and OFREP: every role and evaluation tokens, never anonymous. */
const EVALUATIONS: ReadonlyArray<Route & { body?: object; status?: number; allowed?: Caller[] }> = [
  { method: 'GET', path: '/api/feature-flags/:key/evaluate' },
  { method: 'POST', path: '/api/feature-flags/evaluate', body: { subjectId: 'p1' } },
  { method: 'POST', path: '/ofrep/v1/evaluate/flags/:key', body: { context: { targetingKey: 'p1' } } },
  { method: 'POST', path: '/ofrep/v1/evaluate/flags', body: { context: { targetingKey: 'p1' } } },
  // Telemetry intake: only tokens made for it; no person, not even a super admin.
  { method: 'POST', path: '/api/telemetry/events', body: { events: [] }, status: 202, allowed: ['TELEMETRY'] },
];
const EVALUATORS: Caller[] = ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER', 'SERVICE'];

/**
 * Served from Fastify's route handler without Nest's per-request pipeline (hot-path.ts), with
 * the same guard: walked here like every other route.
 */
const HOT_PATHS = [
  'GET /api/feature-flags/:key/evaluate',
  'POST /api/feature-flags/evaluate',
  'POST /ofrep/v1/evaluate/flags',
  'POST /ofrep/v1/evaluate/flags/:key',
];

const PUBLIC: ReadonlyArray<Route> = [
  { method: 'POST', path: '/api/auth/login' },
  { method: 'GET', path: '/health/live' },
  { method: 'GET', path: '/health/ready' },
  { method: 'GET', path: '/metrics' },
  // The operator console: static files of the build, no data (every datum comes from the API above).
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/admin' },
  { method: 'GET', path: '/admin/*' },
];

function registeredRoutes(t: TestApp): Array<Route & { rule: AccessRule | undefined; hotPath: boolean }> {
  const scanner = new MetadataScanner();
  const controllers = [...t.app.get(ModulesContainer).values()].flatMap((module) => [...module.controllers.values()]);
  return controllers.flatMap(({ instance, metatype }) => {
    if (!instance || !metatype) return [];
    const base = String(Reflect.getMetadata(PATH_METADATA, metatype as object) ?? '');
    const prototype = Object.getPrototypeOf(instance);
    return scanner.getAllMethodNames(prototype).flatMap((name) => {
      const handler = prototype[name];
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (path === undefined) return [];
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const full = `/${[base, path]
        .map((part) => part.replace(/^\/|\/$/g, ''))
        .filter(Boolean)
        .join('/')}`;
      const rule =
        (Reflect.getMetadata(ACCESS_METADATA, handler) as AccessRule | undefined) ??
        (Reflect.getMetadata(ACCESS_METADATA, metatype as object) as AccessRule | undefined);
      const hotPath = hotPathOf(Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler)) !== undefined;
      return [{ method, path: full, rule, hotPath }];
    });
  });
}

describe('access control (deny by default)', () => {
  let t: TestApp;
  const credentials = new Map<Caller, Record<string, string>>();
  let flagKey: string;
  let operatorId: string;
  let tokenId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const admin = await t.tokenFor('SUPER_ADMIN');
    for (const role of ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER'] as const) {
      credentials.set(role, { authorization: `Bearer ${await t.tokenFor(role)}` });
    }
    const service = await t.http
      .post('/api/admin/service-tokens')
      .auth(admin, { type: 'bearer' })
      .send({ name: 'matching-backend' });
    credentials.set('SERVICE', { 'x-api-key': service.body.token });
    const telemetry = await t.http
      .post('/api/admin/service-tokens')
      .auth(admin, { type: 'bearer' })
      .send({ name: 'telemetry-sender', permissions: ['telemetry:write'] })
      .expect(201);
    credentials.set('TELEMETRY', { 'x-api-key': telemetry.body.token });
    credentials.set('ANONYMOUS', {});
    flagKey = (await newFlag(t.http, admin)).key;
    const users = await t.http.get('/api/admin/users').auth(admin, { type: 'bearer' }).expect(200);
    operatorId = users.body.items.find((user: { role: string }) => user.role === 'OPERATOR').id;
    tokenId = service.body.id;
  });
  afterAll(() => t.close());

  it('declares an access rule on every registered route, and the tables here cover them all', () => {
    const routes = registeredRoutes(t);
    expect(routes.length).toBeGreaterThan(15);
    expect(routes.filter((route) => route.rule === undefined)).toEqual([]);
    const covered = [...MUTATIONS, ...READS, ...EVALUATIONS, ...PUBLIC]
      .map((route) => `${route.method} ${route.path}`)
      .sort();
    expect(routes.map((route) => `${route.method} ${route.path}`).sort()).toEqual(covered);
    const publicRoutes = routes.filter((route) => route.rule?.public).map((route) => `${route.method} ${route.path}`);
    expect(publicRoutes.sort()).toEqual(PUBLIC.map((route) => `${route.method} ${route.path}`).sort());
    const hotPaths = routes.filter((route) => route.hotPath).map((route) => `${route.method} ${route.path}`);
    expect(hotPaths.sort()).toEqual(HOT_PATHS);
  });

  const concrete = (path: string): string =>
    path
      .replace(':key', flagKey)
      .replace(':subjectId', 'p1')
      .replace(':phase', 'phase1_beta')
      .replace(':item', 'MATCHING_SUCCESS_RATE')
      .replace(':code', 'CONFIG_DRIFT')
      .replace(':id', path.includes('users') ? operatorId : tokenId);

  it.each(CALLERS)('enforces the permission table for %s on every mutating route', async (caller) => {
    for (const route of MUTATIONS) {
      // The deletions would remove the very things the matrix needs; their allowed case is
      // proven with a missing target instead (a 404 means the guard let the call through).
      const destructive =
        route.method === 'DELETE' && !route.path.endsWith('allowlist') && !route.path.endsWith(':subjectId');
      const path = destructive
        ? route.path.replace(':key', 'no_such_flag').replace(':id', '00000000-0000-4000-8000-000000000000')
        : concrete(route.path);
      const response = await t.http[route.method.toLowerCase() as 'post'](path)
        .set(credentials.get(caller)!)
        .send(route.body);
      const where = `${caller} ${route.method} ${route.path} → ${response.status} ${response.body?.code ?? ''}`;
      if (caller === 'ANONYMOUS') {
        expect([where, response.status, response.body.code]).toEqual([where, 401, 'CREDENTIALS_MISSING']);
      } else if (route.allowed.includes(caller)) {
        expect([where, response.status < 500 && ![401, 403].includes(response.status)]).toEqual([where, true]);
      } else {
        expect([where, response.status, response.body.code]).toEqual([where, 403, 'PERMISSION_DENIED']);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body.permission).toMatch(/^[a-z-]+:[a-z-]+$/);
        expect(response.body.detail).toContain(response.body.permission);
      }
    }
  });

  it.each(CALLERS)('enforces the permission table for %s on every read route', async (caller) => {
    for (const route of READS) {
      const response = await t.http.get(concrete(route.path)).set(credentials.get(caller)!);
      const where = `${caller} GET ${route.path} → ${response.status}`;
      const expected = caller === 'ANONYMOUS' ? 401 : route.allowed.includes(caller) ? (route.status ?? 200) : 403;
      expect([where, response.status]).toEqual([where, expected]);
    }
  });

  it.each(CALLERS)('lets %s evaluate and send telemetry only as the permission table says', async (caller) => {
    for (const route of EVALUATIONS) {
      const path = `${concrete(route.path)}${route.method === 'GET' ? '?subjectId=p1' : ''}`;
      const response = await t.http[route.method.toLowerCase() as 'post'](path)
        .set(credentials.get(caller)!)
        .send(route.body);
      const where = `${caller} ${route.method} ${route.path} → ${response.status}`;
      const allowed = (route.allowed ?? EVALUATORS).includes(caller);
      expect([where, response.status]).toEqual([
        where,
        caller === 'ANONYMOUS' ? 401 : allowed ? (route.status ?? 200) : 403,
      ]);
      if (!allowed) {
        expect([where, response.headers['content-type']]).toEqual([
          where,
          expect.stringMatching(/^application\/problem\+json/),
        ]);
        expect([where, response.body.code]).toEqual([
          where,
          caller === 'ANONYMOUS' ? 'CREDENTIALS_MISSING' : 'PERMISSION_DENIED',
        ]);
      }
    }
  });

  it('keeps public routes open without credentials', async () => {
    await t.http.get('/health/live').expect(200);
    // Open, but only up or down without credentials; the details need a token.
    expect((await t.http.get('/health/ready').expect(200)).body).toEqual({ status: 'ok' });
    await t.http
      .post('/api/auth/login')
      .send({ email: 'nobody@flagdog.test', password: 'wrong-password-123' })
      .expect(401);
  });

  it('serves the console pages without credentials, with no data in them and a strict CSP', async () => {
    await t.http.get('/').expect(302).expect('location', '/admin/feature-flags');
    await t.http.get('/admin').expect(302).expect('location', '/admin/feature-flags');
    for (const path of [
      '/admin/feature-flags',
      `/admin/feature-flags/${flagKey}`,
      '/admin/beta-monitor',
      '/admin/users',
    ]) {
      const page = await t.http
        .get(path)
        .expect(200)
        .expect('content-type', /text\/html/);
      expect([path, page.text.includes(flagKey)]).toEqual([path, false]);
      expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(page.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    }
    // Only files of the build are answered under assets/; nothing else of the disk is reachable.
    const missing = await t.http.get('/admin/assets/..%2F..%2Fpackage.json');
    expect([missing.status, missing.headers['content-type']]).toEqual([
      404,
      expect.stringMatching(/^application\/problem\+json/),
    ]);
  });
});
