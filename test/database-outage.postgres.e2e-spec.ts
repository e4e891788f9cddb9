import { newFlag, startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { TcpProxy } from './support/tcp-proxy';

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`not true within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return Date.now() - started;
}

async function timed<T>(work: () => PromiseLike<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await work();
  return [result, Date.now() - started];
}

/**
 * The database black-holed: connections stay open, nothing comes back, no reset. (A refused
 * connection is the easy case, covered by the fail-static suite.) PostgreSQL only: the embedded
 * database lives inside flagdog's process, so no network can fall between them.
 */
describe('database black-holed: no request hangs', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;
  let admin: string;
  let operator: string;
  let viewer: string;
  let service: string;
  let key: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await TcpProxy.start(database.url);
    t = await startTestApp({ database: { url: proxy.urlFor(database.url), drop: async () => undefined } });
    admin = await t.tokenFor('SUPER_ADMIN');
    operator = await t.tokenFor('OPERATOR');
    // Signed in, but never seen by the authentication cache before the outage.
    viewer = await t.tokenFor('ANGEL_VIEWER');
    service = (await t.http.post('/api/admin/service-tokens').auth(admin, { type: 'bearer' }).send({ name: 'matcher' }))
      .body.token;
    key = (await newFlag(t.http, admin, { enabled: true, rolloutPercentage: 100 })).key;
  });
  afterAll(async () => {
    proxy.restore();
    await t.close();
    await proxy.close();
    await database.drop();
  });

  const evaluate = (token: string) =>
    t.http.get(`/api/feature-flags/${key}/evaluate`).query({ subjectId: 'pass_1' }).auth(token, { type: 'bearer' });

  it('keeps recently seen users evaluating, answers writes 503 within 5 s, goes unready, and recovers', async () => {
    await evaluate(operator).expect(200);
    await evaluate(admin).expect(200);
    proxy.blackHole();
    // Past the one-second cache: every user lookup now goes to the silent database.
    await new Promise((resolve) => setTimeout(resolve, 1200));

    const [answers, evaluateMs] = await timed(() => Promise.all(Array.from({ length: 5 }, () => evaluate(operator))));
    for (const response of answers) expect(response.body).toMatchObject({ enabled: true, reason: 'ROLLOUT' });
    expect(evaluateMs).toBeLessThan(1000);
    const [again, againMs] = await timed(() => evaluate(operator));
    expect(again.status).toBe(200);
    expect(againMs).toBeLessThan(500);
    await t.http
      .get(`/api/feature-flags/${key}/evaluate`)
      .query({ subjectId: 'pass_1' })
      .set('x-api-key', service)
      .expect(200);

    const [write, writeMs] = await timed(() =>
      t.http
        .put(`/api/admin/feature-flags/${key}`)
        .auth(admin, { type: 'bearer' })
        .send({ enabled: false, rolloutPercentage: 0 }),
    );
    expect(write.status).toBe(503);
    expect(write.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(write.body.code).toBe('DATABASE_UNAVAILABLE');
    expect(writeMs).toBeLessThan(5000);

    // Never seen before the outage: flagdog cannot know, so 503 (not 401), and soon.
    const [unknown, unknownMs] = await timed(() => evaluate(viewer));
    expect(unknown.status).toBe(503);
    expect(unknown.body.code).toBe('DATABASE_UNAVAILABLE');
    expect(unknownMs).toBeLessThan(5000);

    const [ready, readyMs] = await timed(() => t.http.get('/health/ready'));
    expect(ready.status).toBe(503);
    expect(readyMs).toBeLessThan(3000);

    proxy.restore();
    const recoveredMs = await eventually(async () => {
      const response = await t.http
        .put(`/api/admin/feature-flags/${key}`)
        .auth(admin, { type: 'bearer' })
        .send({ enabled: false, rolloutPercentage: 0 });
      return response.status === 200;
    }, 30000);
    expect(recoveredMs).toBeLessThan(30000);
    await eventually(async () => (await t.http.get('/health/ready')).status === 200, 15000);
    expect((await evaluate(viewer).expect(200)).body).toMatchObject({ enabled: false, reason: 'DISABLED' });
  });
});
