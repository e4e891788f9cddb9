import { newFlag, startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { TcpProxy } from './support/tcp-proxy';

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** With the database gone, evaluation keeps answering from the snapshot; all recovers by itself. */
describe('fail-static: the database goes away and comes back', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;
  let admin: string;
  let service: string;
  let key: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await TcpProxy.start(database.url);
    t = await startTestApp({ database: { url: proxy.urlFor(database.url), drop: async () => undefined } });
    admin = await t.tokenFor('SUPER_ADMIN');
    service = (await t.http.post('/api/admin/service-tokens').auth(admin, { type: 'bearer' }).send({ name: 'matcher' }))
      .body.token;
    key = (await newFlag(t.http, admin, { enabled: true, rolloutPercentage: 0 })).key;
    await t.http
      .post(`/api/admin/feature-flags/${key}/allowlist`)
      .auth(admin, { type: 'bearer' })
      .send({ subjectIds: ['pass_beta_001_2026'] })
      .expect(200);
  });
  afterAll(async () => {
    proxy.restore();
    await t.close();
    await proxy.close();
    await database.drop();
  });

  const evaluate = (subjectId: string) =>
    t.http.get(`/api/feature-flags/${key}/evaluate`).query({ subjectId }).set('x-api-key', service);

  it('keeps evaluating, reports not ready, refuses writes with 503, then recovers', async () => {
    proxy.cut();

    for (let i = 0; i < 20; i++) {
      const response = await evaluate('pass_beta_001_2026').expect(200);
      expect(response.body).toMatchObject({ enabled: true, reason: 'ALLOWLIST' });
    }
    const ofrep = await t.http
      .post(`/ofrep/v1/evaluate/flags/${key}`)
      .set('x-api-key', service)
      .send({ context: { targetingKey: 'someone-else' } })
      .expect(200);
    expect(ofrep.body).toMatchObject({ value: false, reason: 'SPLIT' });

    const ready = await t.http.get('/health/ready').auth(admin, { type: 'bearer' });
    expect(ready.status).toBe(503);
    expect(ready.body.error.database.status).toBe('down');

    const write = await t.http
      .put(`/api/admin/feature-flags/${key}`)
      .auth(admin, { type: 'bearer' })
      .send({ enabled: false, rolloutPercentage: 0 });
    expect(write.status).toBe(503);
    expect(write.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(write.body.code).toBe('DATABASE_UNAVAILABLE');
    await eventually(
      async () =>
        (await t.http.get('/health/ready').auth(admin, { type: 'bearer' })).body.details?.snapshot?.stale === true,
      3000,
    );

    proxy.restore();
    await eventually(
      async () => (await t.http.get('/health/ready').auth(admin, { type: 'bearer' })).status === 200,
      15000,
    );
    await t.http
      .put(`/api/admin/feature-flags/${key}`)
      .auth(admin, { type: 'bearer' })
      .send({ enabled: false, rolloutPercentage: 0 })
      .expect(200);
    expect((await evaluate('pass_beta_001_2026').expect(200)).body).toMatchObject({
      enabled: false,
      reason: 'DISABLED',
    });
    const details = (await t.http.get('/health/ready').auth(admin, { type: 'bearer' }).expect(200)).body.details
      .snapshot;
    expect(details).toMatchObject({ stale: false, lastError: null });
  });
});
