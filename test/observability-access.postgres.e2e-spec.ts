import { newFlag, startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { TcpProxy } from './support/tcp-proxy';

const METRICS_TOKEN = 'prometheus-scrape-secret-7f3a9c';
const bearer = { type: 'bearer' as const };

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`not true within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * /metrics behind METRICS_TOKEN, readiness that tells strangers only up or down, and metric
 * labels that name only flags that exist. The database sits behind a proxy so it can go away
 * (PostgreSQL only: the embedded database has no network to cut).
 */
describe('/metrics and /health/ready reveal nothing to strangers', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;
  let admin: string;
  let viewer: string;
  let service: string;
  let key: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await TcpProxy.start(database.url);
    t = await startTestApp({
      database: { url: proxy.urlFor(database.url), drop: async () => undefined },
      env: { METRICS_TOKEN, FEATURE_SECRET_SWITCH_FLAG: 'off' },
    });
    admin = await t.tokenFor('SUPER_ADMIN');
    viewer = await t.tokenFor('ANGEL_VIEWER');
    service = (await t.http.post('/api/admin/service-tokens').auth(admin, bearer).send({ name: 'matcher' })).body.token;
    key = (await newFlag(t.http, admin, { enabled: true, rolloutPercentage: 100 })).key;
  });
  afterAll(async () => {
    proxy.restore();
    await t.close();
    await proxy.close();
    await database.drop();
  });

  it('refuses a scrape without the token, with another token, or with a user token: 401 problem+json', async () => {
    for (const attempt of [
      t.http.get('/metrics'),
      t.http.get('/metrics').auth(`${METRICS_TOKEN}x`, bearer),
      t.http.get('/metrics').auth(METRICS_TOKEN.slice(0, -1), bearer),
      t.http.get('/metrics').auth(admin, bearer),
      t.http.get('/metrics').set('authorization', `Basic ${METRICS_TOKEN}`),
    ]) {
      const response = await attempt;
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.code).toBe('UNAUTHENTICATED');
      expect(response.text).not.toContain('flagdog_');
    }
  });

  it('scrapes with the token; evaluations of made-up keys never become labels', async () => {
    for (const made of ['zz_made_up_one', 'zz_made_up_two']) {
      await t.http
        .get(`/api/feature-flags/${made}/evaluate`)
        .query({ subjectId: 's1' })
        .auth(viewer, bearer)
        .expect(200);
    }
    await t.http.get(`/api/feature-flags/${key}/evaluate`).query({ subjectId: 's1' }).auth(viewer, bearer).expect(200);
    const text = (await t.http.get('/metrics').auth(METRICS_TOKEN, bearer).expect(200)).text;
    expect(text).toContain(`flagdog_evaluations_total{flag="${key}",reason="ROLLOUT"} 1`);
    expect(text).toContain('flagdog_evaluations_total{flag="_unknown",reason="FLAG_NOT_FOUND"} 2');
    expect(text).not.toContain('zz_made_up');
  });

  it('answers strangers only up or down; any valid credential or the metrics token gets the details', async () => {
    for (const anonymous of [
      t.http.get('/health/ready'),
      t.http.get('/health/ready').auth('not-a-jwt', bearer),
      t.http.get('/health/ready').set('x-api-key', 'fdt_not_a_real_token'),
    ]) {
      const response = await anonymous.expect(200);
      expect(response.body).toEqual({ status: 'ok' });
      expect(response.text).not.toContain('secret_switch_flag');
    }
    for (const detailed of [
      t.http.get('/health/ready').auth(viewer, bearer),
      t.http.get('/health/ready').auth(service, bearer),
      t.http.get('/health/ready').set('x-api-key', service),
      t.http.get('/health/ready').auth(METRICS_TOKEN, bearer),
    ]) {
      const response = await detailed.expect(200);
      expect(response.body.status).toBe('ok');
      expect(response.body.details.snapshot).toMatchObject({ status: 'up', masterSwitchesOff: ['secret_switch_flag'] });
      expect(response.body.details.snapshot.revision).toBeGreaterThan(0);
      expect(response.body.details).toHaveProperty('serviceTokens');
      expect(response.body.details).toHaveProperty('telemetry');
    }
  });

  it('goes 503 when the database is away: strangers see only {"status":"error"}, nobody sees its address', async () => {
    await t.http.get('/health/ready').auth(admin, bearer).expect(200);
    proxy.cut();
    try {
      await eventually(async () => (await t.http.get('/health/ready')).status === 503, 10000);
      const anonymous = await t.http.get('/health/ready').expect(503);
      expect(anonymous.body).toEqual({ status: 'error' });

      const detailed = await t.http.get('/health/ready').auth(METRICS_TOKEN, bearer).expect(503);
      expect(detailed.body.status).toBe('error');
      expect(detailed.body.details.database.status).toBe('down');
      const { port } = new URL(proxy.urlFor(database.url));
      const { port: realPort } = new URL(database.url);
      for (const address of [
        '127.0.0.1',
        'localhost',
        `:${port}`,
        `:${realPort || 5432}`,
        'ECONNREFUSED',
        'ECONNRESET',
      ]) {
        expect([address, detailed.text.includes(address)]).toEqual([address, false]);
      }
    } finally {
      proxy.restore();
    }
    await eventually(async () => (await t.http.get('/health/ready')).status === 200, 15000);
    expect((await t.http.get('/health/ready')).body).toEqual({ status: 'ok' });
  });
});
