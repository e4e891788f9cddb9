import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TelemetryService } from 'src/telemetry/telemetry.service';
import { startInstance, startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { ActingAs, actingAs } from './support/acting-as';

const FLAG = 'passenger_favorites_matching';
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const http = (overrides: Record<string, unknown> = {}) => ({
  type: 'http',
  featureKey: FLAG,
  variant: 'on',
  route: '/api/matching/favorites',
  statusCode: 200,
  latencyMs: 120,
  ...overrides,
});
const matching = (overrides: Record<string, unknown> = {}) => ({
  type: 'matching',
  featureKey: FLAG,
  variant: 'on',
  subjectId: 'pass_beta_001_2026',
  matched: true,
  timeToMatchMs: 9000,
  ...overrides,
});

describe('telemetry intake (POST /api/telemetry/events)', () => {
  let database: TestDatabase;
  let t: TestApp;
  let as: ActingAs;
  let service: string;
  let restarted: NestFastifyApplication | null = null;

  beforeAll(async () => {
    database = await createTestDatabase();
    t = await startTestApp({ database });
    as = await actingAs(t);
    const token = await as('SUPER_ADMIN').post('/api/admin/service-tokens').send({ name: 'matching-backend' }).expect(201);
    service = token.body.token;
  });
  afterAll(async () => {
    if (restarted) await restarted.close();
    else await t.close();
    await database.drop();
  });

  const send = (events: unknown) => t.http.post('/api/telemetry/events').set('x-api-key', service).send({ events });
  const lastHour = (key = FLAG) => t.app.get(TelemetryService).window(key, new Date(Date.now() - 3_600_000), new Date(Date.now() + 600_000));

  it('accepts the good events of a mixed batch and names each bad one by index and reason', async () => {
    const events = [
      http(),
      http({ statusCode: 503, latencyMs: 2500 }),
      http({ variant: 'treatment' }),
      http({ variant: 'off', statusCode: 401, at: minutesAgo(3) }),
      { type: 'http', featureKey: FLAG, variant: 'on' },
      matching(),
      matching({ matched: false, timeToMatchMs: undefined }),
      matching({ matched: 'yes' }),
      http({ latencyMs: -1, debug: true }),
      42,
    ];
    const response = await send(events).expect(202);
    expect(response.body).toEqual({
      accepted: 5,
      rejected: [
        { index: 2, reason: 'variant must be "on" or "off"' },
        { index: 4, reason: 'route must be a string of 1–512 characters' },
        { index: 7, reason: 'matched must be a boolean' },
        { index: 8, reason: expect.stringMatching(/^unknown field "debug"/) },
        { index: 9, reason: 'the event must be a JSON object' },
      ],
    });
  });

  it('shows the counts to checkpoints before and after the flush, exactly once', async () => {
    const before = await lastHour();
    await t.app.get(TelemetryService).flush();
    const after = await lastHour();
    expect(after).toEqual(before);
    expect(after.on.http).toEqual({ total: 2, c2xx: 1, c3xx: 0, c4xx: 0, c5xx: 1, c401: 0, c403: 0, c429: 0 });
    expect(after.on.latency).toHaveLength(66);
    expect(after.on.latency.reduce((sum, count) => sum + count, 0)).toBe(2);
    expect(after.on.latencyP95).toBeGreaterThan(2000);
    expect(after.on.matching).toMatchObject({ total: 2, success: 1 });
    expect(after.on.matching.ttmP50).toBeGreaterThan(7500);
    expect(after.on.matching.ttmP50).toBeLessThan(11_000);
    expect(after.off.http).toMatchObject({ total: 1, c4xx: 1, c401: 1 });
    expect(after.off.matching).toEqual({ total: 0, success: 0, ttmP50: null, ttmP95: null });
    expect(t.app.get(TelemetryService).health()).toMatchObject({ bufferedBuckets: 0, dropped: 0, lastError: null });

    // More of the same minutes add to the stored rows instead of replacing them.
    await send([http({ statusCode: 429 }), http({ statusCode: 403 })]).expect(202);
    await t.app.get(TelemetryService).flush();
    expect((await lastHour()).on.http).toMatchObject({ total: 4, c4xx: 2, c403: 1, c429: 1, c5xx: 1 });
    const unknown = await lastHour('never_reported');
    expect(unknown.on).toEqual({
      http: { total: 0, c2xx: 0, c3xx: 0, c4xx: 0, c5xx: 0, c401: 0, c403: 0, c429: 0 },
      latency: Array(66).fill(0),
      latencyP95: null,
      matching: { total: 0, success: 0, ttmP50: null, ttmP95: null },
    });
  });

  it('rejects events older than 24 h or more than 5 min ahead, per event', async () => {
    const key = 'telemetry_clock_flag';
    const response = await send([
      http({ featureKey: key, at: minutesAgo(24 * 60 + 1) }),
      http({ featureKey: key, at: minutesAgo(24 * 60 - 5) }),
      http({ featureKey: key, at: minutesAgo(-6) }),
      http({ featureKey: key, at: minutesAgo(-4) }),
      http({ featureKey: key, at: 'yesterday' }),
    ]).expect(202);
    expect(response.body).toEqual({
      accepted: 2,
      rejected: [
        { index: 0, reason: 'at is more than 24 h in the past' },
        { index: 2, reason: 'at is more than 5 min in the future' },
        { index: 4, reason: expect.stringMatching(/^at must be an ISO-8601 timestamp/) },
      ],
    });
    const window = await t.app.get(TelemetryService).window(key, new Date(Date.now() - 25 * 3_600_000), new Date(Date.now() + 600_000));
    expect(window.on.http.total).toBe(2);
    const lastHourOnly = await lastHour(key);
    expect(lastHourOnly.on.http.total).toBe(1);
  });

  it('takes 5,000 events in one batch and refuses a bigger or malformed envelope as a whole', async () => {
    const full = Array.from({ length: 5000 }, (_, i) => http({ featureKey: 'telemetry_volume_flag', statusCode: i % 100 === 0 ? 500 : 200, latencyMs: i % 300 }));
    expect((await send(full).expect(202)).body).toEqual({ accepted: 5000, rejected: [] });
    const tooMany = await send([...full, http()]).expect(400);
    expect(tooMany.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(tooMany.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'events', message: expect.stringContaining('5000') }] });
    for (const body of [{ events: 'nope' }, {}, { events: [], extra: 1 }, [http()]]) {
      const response = await t.http.post('/api/telemetry/events').set('x-api-key', service).send(body).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await send([]).expect(202)).body).toEqual({ accepted: 0, rejected: [] });
    const window = await lastHour('telemetry_volume_flag');
    expect(window.on.http).toMatchObject({ total: 5000, c2xx: 4950, c5xx: 50 });
  });

  it('needs credentials, and takes events from every role', async () => {
    const anonymous = await t.http.post('/api/telemetry/events').send({ events: [http()] }).expect(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    for (const role of ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER'] as const) {
      const response = await t.http
        .post('/api/telemetry/events')
        .auth(await t.tokenFor(role), { type: 'bearer' })
        .send({ events: [http({ featureKey: 'telemetry_roles_flag' })] })
        .expect(202);
      expect(response.body.accepted).toBe(1);
    }
    expect((await lastHour('telemetry_roles_flag')).on.http.total).toBe(3);
  });

  it('writes what is still buffered on graceful shutdown', async () => {
    const key = 'telemetry_shutdown_flag';
    await send([http({ featureKey: key }), matching({ featureKey: key, variant: 'off' })]).expect(202);
    expect(t.app.get(TelemetryService).health().bufferedBuckets).toBeGreaterThan(0);
    await t.app.close();
    restarted = (await startInstance(database)).app;
    const window = await restarted.get(TelemetryService).window(key, new Date(Date.now() - 3_600_000), new Date(Date.now() + 600_000));
    expect(window.on.http.total).toBe(1);
    expect(window.off.matching).toMatchObject({ total: 1, success: 1 });
  });
});
