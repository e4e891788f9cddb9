import request from 'supertest';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TelemetryService } from 'src/telemetry/telemetry.service';
import { ADMIN_EMAIL, ADMIN_PASSWORD, login, startInstance } from './support/test-app';
import { createTestDatabase, TestDatabase, withClient } from './support/test-database';
import { TcpProxy } from './support/tcp-proxy';
import { telemetryToken } from './support/telemetry';

// One minute for every event of the file, so no test straddles a minute boundary.
const AT = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000).toISOString();
const event = (featureKey: string, statusCode: number, latencyMs: number) => ({
  type: 'http',
  featureKey,
  variant: 'on',
  route: '/api/matching/favorites',
  statusCode,
  latencyMs,
  at: AT,
});
const lastHour = (app: NestFastifyApplication, key: string) =>
  app.get(TelemetryService).window(key, new Date(Date.now() - 3_600_000), new Date(Date.now() + 600_000));

/** Several instances write the same minutes; one of them loses the database for a while. */
describe('telemetry on several PostgreSQL instances', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let direct: NestFastifyApplication;
  let proxied: NestFastifyApplication;
  let token: string;
  let admin: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await TcpProxy.start(database.url);
    direct = (await startInstance(database)).app;
    proxied = (await startInstance({ url: proxy.urlFor(database.url), drop: async () => undefined })).app;
    admin = await login(request(direct.getHttpServer()), ADMIN_EMAIL, ADMIN_PASSWORD);
    for (const key of ['telemetry_two_instances', 'telemetry_outage']) {
      await request(direct.getHttpServer())
        .post('/api/admin/feature-flags')
        .auth(admin, { type: 'bearer' })
        .send({ key })
        .expect(201);
    }
    token = await telemetryToken(request(direct.getHttpServer()), admin);
    // The other instance learns of the token and the flags through the change feed (≤ 1 s).
    const deadline = Date.now() + 5000;
    while (
      (
        await request(proxied.getHttpServer())
          .get('/api/feature-flags/telemetry_outage/evaluate?subjectId=p')
          .auth(admin, { type: 'bearer' })
      ).body.reason === 'FLAG_NOT_FOUND' ||
      (await post(proxied, [])).status !== 202
    ) {
      if (Date.now() > deadline) throw new Error('the second instance did not see the token and flags within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  afterAll(async () => {
    proxy.restore();
    await Promise.all([direct.close(), proxied.close()]);
    await proxy.close();
    await database.drop();
  });

  const post = (app: NestFastifyApplication, events: object[]) =>
    request(app.getHttpServer()).post('/api/telemetry/events').auth(token, { type: 'bearer' }).send({ events });
  const send = (app: NestFastifyApplication, events: object[]) => post(app, events).expect(202);

  it('adds up the same minutes written by two instances at once, histograms included', async () => {
    const key = 'telemetry_two_instances';
    const batch = (status: number, latency: number) => Array.from({ length: 1000 }, () => event(key, status, latency));
    for (let round = 0; round < 5; round++) {
      await Promise.all([send(direct, batch(200, 50)), send(proxied, batch(500, 400))]);
    }
    for (const app of [direct, proxied]) {
      const { on } = await lastHour(app, key);
      expect(on.http).toMatchObject({ total: 10_000, c2xx: 5000, c5xx: 5000 });
      expect(on.latency.reduce((sum, count) => sum + count, 0)).toBe(10_000);
      expect(on.latencyP95).toBeGreaterThan(380);
    }
    const rows = await withClient(database.url, (client) =>
      client.query('SELECT count(*)::int AS n FROM telemetry_minutes WHERE feature_key = $1', [key]),
    );
    expect(rows.rows[0].n).toBe(1);
  });

  it('answers 503 while the database is away and keeps none of it; acknowledges again once it is back', async () => {
    const key = 'telemetry_outage';
    const telemetry = proxied.get(TelemetryService);
    await send(proxied, [event(key, 200, 10)]);
    proxy.cut();
    const refused = await post(
      proxied,
      Array.from({ length: 300 }, () => event(key, 502, 30)),
    ).expect(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.code).toBe('DATABASE_UNAVAILABLE');
    expect(telemetry.health()).toMatchObject({ pendingEvents: 0, failedCommits: 1, lastError: expect.any(String) });
    proxy.restore();
    await send(
      proxied,
      Array.from({ length: 200 }, () => event(key, 200, 20)),
    );
    expect(telemetry.health()).toMatchObject({ pendingEvents: 0, lastError: null });
    // What was answered 202 is stored; what was answered 503 is not (the sender resends it).
    const { on } = await lastHour(direct, key);
    expect(on.http).toMatchObject({ total: 201, c2xx: 201, c5xx: 0 });
    const metrics = (await request(proxied.getHttpServer()).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^flagdog_telemetry_events_total\{outcome="not_committed"\} 300$/m);
    expect(metrics).toMatch(/^flagdog_telemetry_commits_total\{result="failed"\} 1$/m);
  });
});
