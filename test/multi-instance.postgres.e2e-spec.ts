import request from 'supertest';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { MIGRATIONS } from 'src/database/data-source-options';
import { EvaluationService } from 'src/feature-flags/evaluation.service';
import { ADMIN_EMAIL, ADMIN_PASSWORD, login, startInstance } from './support/test-app';
import { createTestDatabase, TestDatabase, withClient } from './support/test-database';

const METRICS_TOKEN = 'scrape-secret-for-the-instances';

/** Several flagdog instances on one PostgreSQL database, as in production behind a load balancer. */
describe('several instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  const apps: NestFastifyApplication[] = [];

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await database.drop();
  });

  it('all come up when started at the same moment on an empty database, migrating it once', async () => {
    const started = await Promise.all([1, 2, 3].map(() => startInstance(database, { METRICS_TOKEN })));
    apps.push(...started.map(({ app }) => app));
    const counts = await withClient(database.url, async (client) => ({
      migrations: (await client.query('SELECT count(*)::int AS n FROM flagdog_migrations')).rows[0].n,
      admins: (await client.query('SELECT count(*)::int AS n FROM users WHERE lower(email) = lower($1)', [ADMIN_EMAIL]))
        .rows[0].n,
      bootstrapEvents: (
        await client.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'user.bootstrapped'`)
      ).rows[0].n,
    }));
    expect(counts).toEqual({ migrations: MIGRATIONS.length, admins: 1, bootstrapEvents: 1 });
    const metricsToken = { type: 'bearer' as const };
    for (const app of apps) {
      const deadline = Date.now() + 5000;
      let snapshot: { listening?: boolean } = {};
      while (snapshot.listening !== true && Date.now() < deadline) {
        snapshot = (
          await request(app.getHttpServer()).get('/health/ready').auth(METRICS_TOKEN, metricsToken).expect(200)
        ).body.details.snapshot;
      }
      expect(snapshot).toMatchObject({ status: 'up', loaded: true, listening: true });
    }
  });

  it('accepts a new service token and stops accepting a revoked one on every instance within a second', async () => {
    const [a, b] = apps.map((app) => request(app.getHttpServer()));
    const admin = await login(a, ADMIN_EMAIL, ADMIN_PASSWORD);
    const created = await a
      .post('/api/admin/service-tokens')
      .auth(admin, { type: 'bearer' })
      .send({ name: 'matcher' })
      .expect(201);
    // A new token reaches the other instances through the change feed, as a revocation does.
    const createdAt = Date.now();
    let accepted = 401;
    while (accepted !== 200 && Date.now() - createdAt < 2000) {
      accepted = (await b.get('/api/auth/me').set('x-api-key', created.body.token)).status;
    }
    expect(accepted).toBe(200);
    expect(Date.now() - createdAt).toBeLessThan(1000);
    await a.delete(`/api/admin/service-tokens/${created.body.id}`).auth(admin, { type: 'bearer' }).expect(204);
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 2000) {
      status = (await b.get('/api/auth/me').set('x-api-key', created.body.token)).status;
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
  });

  it('serialises writes from different instances to one flag: none is lost', async () => {
    const clients = apps.map((app) => request(app.getHttpServer()));
    const admin = await login(clients[0], ADMIN_EMAIL, ADMIN_PASSWORD);
    await clients[0]
      .post('/api/admin/feature-flags')
      .auth(admin, { type: 'bearer' })
      .send({ key: 'shared_flag' })
      .expect(201);
    await Promise.all(
      Array.from({ length: 21 }, (_, i) =>
        clients[i % 3]
          .post('/api/admin/feature-flags/shared_flag/allowlist')
          .auth(admin, { type: 'bearer' })
          .send({ subjectIds: [`p${i}a`, `p${i}b`] })
          .expect(200),
      ),
    );
    const flag = await clients[2]
      .get('/api/admin/feature-flags/shared_flag')
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(flag.body).toMatchObject({ allowlistCount: 42, version: 22 });
  });

  it('shows a change made on one instance on the others within a second', async () => {
    const [a, b, c] = apps.map((app) => request(app.getHttpServer()));
    const admin = await login(a, ADMIN_EMAIL, ADMIN_PASSWORD);
    const service = (
      await a.post('/api/admin/service-tokens').auth(admin, { type: 'bearer' }).send({ name: 'propagation' })
    ).body.token;
    await a
      .post('/api/admin/feature-flags')
      .auth(admin, { type: 'bearer' })
      .send({ key: 'propagated_flag', enabled: true })
      .expect(201);
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const subjectId = `subject-${i}`;
      await a
        .post('/api/admin/feature-flags/propagated_flag/allowlist')
        .auth(admin, { type: 'bearer' })
        .send({ subjectIds: [subjectId] })
        .expect(200);
      const committed = Date.now();
      for (const other of [b, c]) {
        let reason = '';
        while (reason !== 'ALLOWLIST' && Date.now() - committed < 2000) {
          reason = (
            await other
              .get('/api/feature-flags/propagated_flag/evaluate')
              .query({ subjectId })
              .set('x-api-key', service)
          ).body.reason;
        }
        delays.push(Date.now() - committed);
      }
    }
    expect(Math.max(...delays)).toBeLessThan(1000);
  });

  it('gives the same answer on every instance for 100,000 random subjects at 1 % and 5.25 %', async () => {
    const [a] = apps.map((app) => request(app.getHttpServer()));
    const admin = await login(a, ADMIN_EMAIL, ADMIN_PASSWORD);
    await a
      .post('/api/admin/feature-flags')
      .auth(admin, { type: 'bearer' })
      .send({ key: 'agreed_flag', enabled: true })
      .expect(201);
    const subjects = Array.from({ length: 100_000 }, () => randomBytes(9).toString('base64url'));
    const services = apps.map((app) => app.get(EvaluationService));
    for (const percentage of [1, 5.25]) {
      const put = await a
        .put('/api/admin/feature-flags/agreed_flag')
        .auth(admin, { type: 'bearer' })
        .send({ enabled: true, rolloutPercentage: percentage })
        .expect(200);
      const version = put.body.version;
      for (const service of services) {
        const deadline = Date.now() + 1000;
        while (service.evaluate('agreed_flag', 'probe').version !== version && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
      }
      const answers = services.map((service) =>
        subjects.map((subject) => service.evaluate('agreed_flag', subject).enabled),
      );
      const on = answers[0].filter(Boolean).length;
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
      expect(Math.abs(on / subjects.length - percentage / 100)).toBeLessThan(0.005);
    }
  });
});
