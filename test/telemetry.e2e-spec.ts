import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { TelemetryService } from 'src/telemetry/telemetry.service';
import { telemetryToken } from './support/telemetry';
import { newFlag, startInstance, startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

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
  let admin: string;
  let service: string;
  let restarted: NestFastifyApplication | null = null;

  beforeAll(async () => {
    database = await createTestDatabase();
    t = await startTestApp({ database });
    admin = await t.tokenFor('SUPER_ADMIN');
    for (const key of [
      FLAG,
      'telemetry_clock_flag',
      'telemetry_volume_flag',
      'telemetry_shutdown_flag',
      'telemetry_other_flag',
    ]) {
      await newFlag(t.http, admin, { key });
    }
    service = await telemetryToken(t.http, admin, { name: 'matching-backend' });
  });
  afterAll(async () => {
    if (restarted) await restarted.close();
    else await t.close();
    await database.drop();
  });

  const send = (events: unknown) => t.http.post('/api/telemetry/events').set('x-api-key', service).send({ events });
  /** What the database holds for the flag (through the app's connection: PGlite takes one connection). */
  const stored = async (key: string) => {
    const rows: { requests: number; matching: number; rows: number }[] = await t.app
      .get(DataSource)
      .query(
        'SELECT coalesce(sum(requests), 0)::int AS requests, coalesce(sum(matching_total), 0)::int AS matching, count(*)::int AS rows FROM telemetry_minutes WHERE feature_key = $1',
        [key],
      );
    return rows[0];
  };
  const lastHour = (key = FLAG) =>
    t.app.get(TelemetryService).window(key, new Date(Date.now() - 3_600_000), new Date(Date.now() + 600_000));

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
        { index: 2, code: 'INVALID_EVENT', reason: 'variant must be "on" or "off"' },
        { index: 4, code: 'INVALID_EVENT', reason: 'route must be a string of 1–512 characters' },
        { index: 7, code: 'INVALID_EVENT', reason: 'matched must be a boolean' },
        { index: 8, code: 'INVALID_EVENT', reason: expect.stringMatching(/^unknown field "debug"/) },
        { index: 9, code: 'INVALID_EVENT', reason: 'the event must be a JSON object' },
      ],
    });
  });

  it('has stored the accepted events when it answers 202, exactly once', async () => {
    // Read from the database straight after the answer: a 202 means committed.
    expect(await stored(FLAG)).toEqual({ requests: 3, matching: 2, rows: 2 });
    const after = await lastHour();
    await t.app.get(TelemetryService).flush();
    expect(await lastHour()).toEqual(after);
    expect(after.on.http).toEqual({ total: 2, c2xx: 1, c3xx: 0, c4xx: 0, c5xx: 1, c401: 0, c403: 0, c429: 0 });
    expect(after.on.latency).toHaveLength(66);
    expect(after.on.latency.reduce((sum, count) => sum + count, 0)).toBe(2);
    expect(after.on.latencyP95).toBeGreaterThan(2000);
    expect(after.on.matching).toMatchObject({ total: 2, success: 1 });
    expect(after.on.matching.ttmP50).toBeGreaterThan(7500);
    expect(after.on.matching.ttmP50).toBeLessThan(11_000);
    expect(after.off.http).toMatchObject({ total: 1, c4xx: 1, c401: 1 });
    expect(after.off.matching).toEqual({ total: 0, success: 0, ttmP50: null, ttmP95: null });
    expect(t.app.get(TelemetryService).health()).toMatchObject({ pendingEvents: 0, failedCommits: 0, lastError: null });

    // More of the same minutes add to the stored rows instead of replacing them.
    await send([http({ statusCode: 429 }), http({ statusCode: 403 })]).expect(202);
    expect((await lastHour()).on.http).toMatchObject({ total: 4, c4xx: 2, c403: 1, c429: 1, c5xx: 1 });
    const unknown = await lastHour('telemetry_other_flag');
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
        { index: 0, code: 'INVALID_EVENT', reason: 'at is more than 24 h in the past' },
        { index: 2, code: 'INVALID_EVENT', reason: 'at is more than 5 min in the future' },
        { index: 4, code: 'INVALID_EVENT', reason: expect.stringMatching(/^at must be an ISO-8601 timestamp/) },
      ],
    });
    const window = await t.app
      .get(TelemetryService)
      .window(key, new Date(Date.now() - 25 * 3_600_000), new Date(Date.now() + 600_000));
    expect(window.on.http.total).toBe(2);
    const lastHourOnly = await lastHour(key);
    expect(lastHourOnly.on.http.total).toBe(1);
  });

  it('takes 5,000 events in one batch and refuses a bigger or malformed envelope as a whole', async () => {
    const full = Array.from({ length: 5000 }, (_, i) =>
      http({ featureKey: 'telemetry_volume_flag', statusCode: i % 100 === 0 ? 500 : 200, latencyMs: i % 300 }),
    );
    expect((await send(full).expect(202)).body).toEqual({ accepted: 5000, rejected: [] });
    const tooMany = await send([...full, http()]).expect(400);
    expect(tooMany.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(tooMany.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'events', message: expect.stringContaining('5000') }],
    });
    for (const body of [{ events: 'nope' }, {}, { events: [], extra: 1 }, [http()]]) {
      const response = await t.http.post('/api/telemetry/events').set('x-api-key', service).send(body).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await send([]).expect(202)).body).toEqual({ accepted: 0, rejected: [] });
    const window = await lastHour('telemetry_volume_flag');
    expect(window.on.http).toMatchObject({ total: 5000, c2xx: 4950, c5xx: 50 });
  });

  it('takes events only from service tokens made for telemetry: no person, no evaluation-only token', async () => {
    const key = 'telemetry_other_flag';
    const batch = { events: [http({ featureKey: key, statusCode: 503 })] };
    const anonymous = await t.http.post('/api/telemetry/events').send(batch).expect(401);
    expect(anonymous.body.code).toBe('CREDENTIALS_MISSING');
    for (const role of ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER'] as const) {
      const response = await t.http
        .post('/api/telemetry/events')
        .auth(await t.tokenFor(role), { type: 'bearer' })
        .send(batch);
      expect([role, response.status, response.body.code, response.body.permission]).toEqual([
        role,
        403,
        'PERMISSION_DENIED',
        'telemetry:write',
      ]);
    }
    const evaluator = await telemetryToken(t.http, admin, { permissions: ['flags:evaluate'] });
    const refused = await t.http.post('/api/telemetry/events').set('x-api-key', evaluator).send(batch).expect(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    await t.http.get(`/api/feature-flags/${key}/evaluate?subjectId=p1`).set('x-api-key', evaluator).expect(200);
    // The token made for telemetry does not evaluate unless it was made for that too.
    await t.http.get(`/api/feature-flags/${key}/evaluate?subjectId=p1`).set('x-api-key', service).expect(403);
    expect(await stored(key)).toEqual({ requests: 0, matching: 0, rows: 0 });

    const both = await telemetryToken(t.http, admin, { permissions: ['flags:evaluate', 'telemetry:write'] });
    await t.http.get(`/api/feature-flags/${key}/evaluate?subjectId=p1`).set('x-api-key', both).expect(200);
    expect(
      (await t.http.post('/api/telemetry/events').set('x-api-key', both).send(batch).expect(202)).body.accepted,
    ).toBe(1);
    expect(await stored(key)).toMatchObject({ requests: 1 });
  });

  it('refuses, one by one, events for flags that do not exist or are archived: never stored, counted in /metrics', async () => {
    const archived = (await newFlag(t.http, admin, { key: 'telemetry_archived_flag' })).key;
    await t.http.delete(`/api/admin/feature-flags/${archived}`).auth(admin, { type: 'bearer' }).expect(204);
    const response = await send([
      http({ featureKey: 'telemetry_made_up_flag', statusCode: 500 }),
      http({ featureKey: 'telemetry_clock_flag' }),
      matching({ featureKey: archived }),
    ]).expect(202);
    expect(response.body).toEqual({
      accepted: 1,
      rejected: [
        { index: 0, code: 'UNKNOWN_FLAG', reason: 'no flag has the key telemetry_made_up_flag' },
        { index: 2, code: 'UNKNOWN_FLAG', reason: `the flag ${archived} is archived` },
      ],
    });
    expect(await stored('telemetry_made_up_flag')).toEqual({ requests: 0, matching: 0, rows: 0 });
    expect(await stored(archived)).toEqual({ requests: 0, matching: 0, rows: 0 });
    const metrics = (await t.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^flagdog_telemetry_events_total\{outcome="unknown_flag"\} 2$/m);
    expect(metrics).not.toContain('telemetry_made_up_flag');
  });

  it('limits a token to its named flags, per event', async () => {
    const limited = await telemetryToken(t.http, admin, { telemetryFeatureKeys: ['telemetry_clock_flag'] });
    const before = await stored(FLAG);
    const response = await t.http
      .post('/api/telemetry/events')
      .set('x-api-key', limited)
      .send({ events: [http({ featureKey: FLAG, statusCode: 500 }), http({ featureKey: 'telemetry_clock_flag' })] })
      .expect(202);
    expect(response.body).toEqual({
      accepted: 1,
      rejected: [{ index: 0, code: 'FLAG_NOT_ALLOWED', reason: `this token may not send telemetry for ${FLAG}` }],
    });
    expect(await stored(FLAG)).toEqual(before);
    const metrics = (await t.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^flagdog_telemetry_events_total\{outcome="flag_not_allowed"\} 1$/m);

    const listed = await t.http.get('/api/admin/service-tokens').auth(admin, { type: 'bearer' }).expect(200);
    expect(
      listed.body.items.find((item: { telemetryFeatureKeys: string[] | null }) => item.telemetryFeatureKeys !== null),
    ).toMatchObject({
      permissions: ['telemetry:write'],
      telemetryFeatureKeys: ['telemetry_clock_flag'],
    });
    const nonsense = await t.http
      .post('/api/admin/service-tokens')
      .auth(admin, { type: 'bearer' })
      .send({ name: 'evaluator-with-flags', telemetryFeatureKeys: ['telemetry_clock_flag'] })
      .expect(400);
    expect(nonsense.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'telemetryFeatureKeys' }] });
    for (const permissions of [[], ['flags:read'], ['telemetry:write', 'telemetry:write'], 'telemetry:write']) {
      await t.http
        .post('/api/admin/service-tokens')
        .auth(admin, { type: 'bearer' })
        .send({ name: 'bad-permissions', permissions })
        .expect(400);
    }
  });

  it('keeps what it acknowledged across a restart', async () => {
    const key = 'telemetry_shutdown_flag';
    await send([http({ featureKey: key }), matching({ featureKey: key, variant: 'off' })]).expect(202);
    await t.app.close();
    restarted = (await startInstance(database)).app;
    const window = await restarted
      .get(TelemetryService)
      .window(key, new Date(Date.now() - 3_600_000), new Date(Date.now() + 600_000));
    expect(window.on.http.total).toBe(1);
    expect(window.off.matching).toMatchObject({ total: 1, success: 1 });
  });
});
