import request from 'supertest';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TelemetryService } from 'src/telemetry/telemetry.service';
import { ADMIN_EMAIL, ADMIN_PASSWORD, login, startInstance } from './support/test-app';
import { createTestDatabase, TestDatabase, withClient } from './support/test-database';
import { TcpProxy } from './support/tcp-proxy';

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

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await TcpProxy.start(database.url);
    direct = (await startInstance(database)).app;
    proxied = (await startInstance({ url: proxy.urlFor(database.url), drop: async () => undefined })).app;
    token = await login(request(direct.getHttpServer()), ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  afterAll(async () => {
    proxy.restore();
    await Promise.all([direct.close(), proxied.close()]);
    await proxy.close();
    await database.drop();
  });

  const send = (app: NestFastifyApplication, events: object[]) =>
    request(app.getHttpServer()).post('/api/telemetry/events').auth(token, { type: 'bearer' }).send({ events }).expect(202);

  it('adds up the same minutes written by two instances at once, histograms included', async () => {
    const key = 'telemetry_two_instances';
    const batch = (status: number, latency: number) => Array.from({ length: 1000 }, () => event(key, status, latency));
    for (let round = 0; round < 5; round++) {
      await Promise.all([send(direct, batch(200, 50)), send(proxied, batch(500, 400))]);
      await Promise.all([direct.get(TelemetryService).flush(), proxied.get(TelemetryService).flush()]);
    }
    for (const app of [direct, proxied]) {
      const { on } = await lastHour(app, key);
      expect(on.http).toMatchObject({ total: 10_000, c2xx: 5000, c5xx: 5000 });
      expect(on.latency.reduce((sum, count) => sum + count, 0)).toBe(10_000);
      expect(on.latencyP95).toBeGreaterThan(380);
    }
    const rows = await withClient(database.url, (client) => client.query('SELECT count(*)::int AS n FROM telemetry_minutes WHERE feature_key = $1', [key]));
    expect(rows.rows[0].n).toBe(1);
  });

  it('buffers while the database is away, and writes it all once it is back', async () => {
    const key = 'telemetry_outage';
    const telemetry = proxied.get(TelemetryService);
    await send(proxied, [event(key, 200, 10)]);
    await telemetry.flush();
    proxy.cut();
    await send(proxied, Array.from({ length: 300 }, () => event(key, 502, 30)));
    await expect(telemetry.flush()).rejects.toThrow();
    await send(proxied, Array.from({ length: 200 }, () => event(key, 200, 20)));
    await expect(telemetry.flush()).rejects.toThrow();
    expect(telemetry.health()).toMatchObject({ bufferedBuckets: 1, dropped: 0, lastError: expect.any(String) });
    // The other instance sees what was stored; the buffered events are not lost, only late.
    expect((await lastHour(direct, key)).on.http.total).toBe(1);
    proxy.restore();
    await telemetry.flush();
    expect(telemetry.health()).toMatchObject({ bufferedBuckets: 0, lastError: null });
    const { on } = await lastHour(direct, key);
    expect(on.http).toMatchObject({ total: 501, c2xx: 201, c5xx: 300 });
  });
});
