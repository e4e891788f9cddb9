import request from 'supertest';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ADMIN_EMAIL, ADMIN_PASSWORD, login, newFlag, startInstance } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { TcpProxy } from './support/tcp-proxy';

const GRACE_SECONDS = 3;
const bearer = { type: 'bearer' as const };

/**
 * A user deleted or demoted on one instance while another instance cannot reach the database:
 * the other instance keeps its cached answer for at most AUTH_OUTAGE_GRACE_SECONDS after it
 * last checked the user, then answers 503 (docs/security.md, "Propagation bounds").
 */
describe('a deleted or demoted user during an outage: bounded by the grace', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let a: NestFastifyApplication;
  let b: NestFastifyApplication;

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await TcpProxy.start(database.url);
    ({ app: a } = await startInstance(database));
    ({ app: b } = await startInstance(
      { url: proxy.urlFor(database.url), drop: async () => undefined },
      { AUTH_OUTAGE_GRACE_SECONDS: String(GRACE_SECONDS) },
    ));
  });
  afterAll(async () => {
    proxy.restore();
    await Promise.all([a?.close(), b?.close()]);
    await proxy.close();
    await database.drop();
  });

  it('lets the cached token work only until the grace ends, then answers 503 (never 200 again while the database is away)', async () => {
    const httpA = request(a.getHttpServer());
    const httpB = request(b.getHttpServer());
    const admin = await login(httpA, ADMIN_EMAIL, ADMIN_PASSWORD);
    const { key } = await newFlag(httpA, admin, { enabled: true, rolloutPercentage: 100 });
    const people: Record<'deleted' | 'demoted', { id: string; token: string }> = {} as never;
    for (const which of ['deleted', 'demoted'] as const) {
      const email = `${which}-${process.pid}@flagdog.test`;
      const created = await httpA
        .post('/api/admin/users')
        .auth(admin, bearer)
        .send({ email, password: 'long enough password', role: 'OPERATOR' })
        .expect(201);
      people[which] = { id: created.body.id, token: await login(httpA, email, 'long enough password') };
    }
    const evaluateOnB = (token: string) =>
      httpB.get(`/api/feature-flags/${key}/evaluate`).query({ subjectId: 's1' }).auth(token, bearer);
    // Instance B checks both users now (and caches them).
    for (const { token } of Object.values(people)) await evaluateOnB(token).expect(200);
    const checkedAt = Date.now();

    await httpA.delete(`/api/admin/users/${people.deleted.id}`).auth(admin, bearer).expect(204);
    await httpA
      .patch(`/api/admin/users/${people.demoted.id}`)
      .auth(admin, bearer)
      .send({ role: 'ANGEL_VIEWER' })
      .expect(200);
    proxy.blackHole();

    // Instance B cannot know: within the grace it answers from its cache (the documented bound)...
    const during = await evaluateOnB(people.deleted.token);
    if (Date.now() - checkedAt < GRACE_SECONDS * 1000) expect(during.status).toBe(200);

    // ...and once the grace since its last check is over, it answers 503, never 200 again.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, checkedAt + GRACE_SECONDS * 1000 + 300 - Date.now())),
    );
    for (const { token } of Object.values(people)) {
      const after = await evaluateOnB(token);
      expect(after.status).toBe(503);
      expect(after.body.code).toBe('DATABASE_UNAVAILABLE');
    }

    proxy.restore();
    // Back: the deleted user's and the demoted user's old tokens are refused.
    const deadline = Date.now() + 20000;
    let status = 0;
    while (Date.now() < deadline && (status = (await evaluateOnB(people.deleted.token)).status) !== 401) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(401);
    expect((await evaluateOnB(people.demoted.token)).status).toBe(401);
  });
});
