import { telemetryToken } from './support/telemetry';
import { newFlag, startTestApp, TestApp } from './support/test-app';

type Checkpoint = {
  status: string;
  health: string;
  alerts: { code: string; severity: string; message: string }[];
  coverage: Record<string, unknown> | null;
  evidence: Record<string, Record<string, unknown>>;
};

/**
 * A checkpoint must not look like a perfect beta when it sees nothing: flagdog counts its own
 * answers (REST single and bulk, OFREP) per minute and compares them with the telemetry.
 */
describe('beta monitor dog: data coverage', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;
  let service: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.tokenFor('SUPER_ADMIN');
    operator = await t.tokenFor('OPERATOR');
    // The monitored application: it evaluates its flags and reports its traffic.
    service = await telemetryToken(t.http, admin, {
      name: 'coverage-backend',
      permissions: ['flags:evaluate', 'telemetry:write'],
    });
  });
  afterAll(() => t.close());

  /** A flag with one started phase at `rolloutPercentage`, no allowlist. */
  async function phaseAt(rolloutPercentage: number): Promise<string> {
    const { key } = await newFlag(t.http, admin);
    const phase = { name: 'beta', expected: { enabled: true, rolloutPercentage, allowlistCount: 0 } };
    await t.http
      .put(`/api/admin/beta-monitor/${key}/phases`)
      .auth(admin, { type: 'bearer' })
      .send({ phases: [phase] })
      .expect(200);
    await t.http
      .post(`/api/admin/beta-monitor/${key}/phases/beta/start`)
      .auth(admin, { type: 'bearer' })
      .send({})
      .expect(200);
    return key;
  }

  const run = async (key: string): Promise<Checkpoint> =>
    (await t.http.post(`/api/admin/beta-monitor/${key}/run`).auth(operator, { type: 'bearer' }).send({}).expect(201))
      .body;
  const codes = (checkpoint: Checkpoint) => checkpoint.alerts.map((alert) => `${alert.code}:${alert.severity}`).sort();

  const http = (key: string, variant: 'on' | 'off', count: number, failing = 0) =>
    Array.from({ length: count }, (_, i) => ({
      type: 'http',
      featureKey: key,
      variant,
      route: '/match',
      statusCode: i < failing ? 503 : 200,
      latencyMs: 40,
    }));
  const report = async (events: object[]) => {
    const sent = await t.http.post('/api/telemetry/events').set('x-api-key', service).send({ events }).expect(202);
    expect(sent.body.accepted).toBe(events.length);
  };

  it('with no traffic at all, GREEN says "no traffic in this window" in the checkpoint and the status', async () => {
    const key = await phaseAt(10);
    const checkpoint = await run(key);
    expect(checkpoint).toMatchObject({ status: 'PASS', health: 'GREEN', alerts: [] });
    expect(checkpoint.coverage).toEqual({
      treatmentRequests: 0,
      controlRequests: 0,
      treatmentMatching: 0,
      controlMatching: 0,
      evaluationsOn: 0,
      evaluationsOff: 0,
      lastTelemetryAt: null,
      secondsSinceLastTelemetry: null,
      noTraffic: true,
      note: 'no traffic in this window',
    });
    const status = await t.http
      .get(`/api/admin/beta-monitor/${key}/status`)
      .auth(operator, { type: 'bearer' })
      .expect(200);
    expect(status.body).toMatchObject({ health: 'GREEN', healthNote: 'no traffic in this window' });
    expect(status.body.latest.coverage.noTraffic).toBe(true);
  });

  it('served ON through REST, bulk and OFREP but no treatment telemetry → TELEMETRY_MISSING, YELLOW', async () => {
    const key = await phaseAt(100);
    for (let i = 0; i < 6; i++) {
      await t.http
        .get(`/api/feature-flags/${key}/evaluate`)
        .query({ subjectId: `rider-${i}` })
        .set('x-api-key', service)
        .expect(200);
      await t.http
        .post('/api/feature-flags/evaluate')
        .set('x-api-key', service)
        .send({ subjectId: `rider-b${i}`, keys: [key] })
        .expect(200);
      await t.http
        .post(`/ofrep/v1/evaluate/flags/${key}`)
        .set('x-api-key', service)
        .send({ context: { targetingKey: `rider-o${i}` } })
        .expect(200);
    }
    // Control traffic arrives; the treatment's does not (its sender is broken).
    await report(http(key, 'off', 50));
    const checkpoint = await run(key);
    expect(checkpoint).toMatchObject({ status: 'WARN', health: 'YELLOW' });
    expect(codes(checkpoint)).toEqual(['TELEMETRY_MISSING:WARN']);
    expect(checkpoint.alerts[0].message).toContain('served ON 18 time(s)');
    expect(checkpoint.coverage).toMatchObject({
      evaluationsOn: 18,
      evaluationsOff: 0,
      treatmentRequests: 0,
      controlRequests: 50,
      noTraffic: false,
      note: null,
    });
    expect(checkpoint.coverage?.secondsSinceLastTelemetry).toEqual(expect.any(Number));
    expect(checkpoint.evidence.coverage.outcome).toBe('WARN');
    const status = await t.http
      .get(`/api/admin/beta-monitor/${key}/status`)
      .auth(operator, { type: 'bearer' })
      .expect(200);
    expect(status.body).toMatchObject({ health: 'YELLOW', healthNote: null });
  });

  it('telemetry under "on" far above the ON share of evaluations → SAMPLE_RATIO_MISMATCH; the comparisons are marked, not silenced', async () => {
    const key = await phaseAt(10);
    let served = 0;
    for (let i = 0; i < 300; i++) {
      const answer = await t.http
        .get(`/api/feature-flags/${key}/evaluate`)
        .query({ subjectId: `passenger-${i}` })
        .set('x-api-key', service)
        .expect(200);
      if (answer.body.enabled) served += 1;
    }
    // The application reports half its requests under "on" (its variant attribution is wrong, or
    // its clients retry), and those show 8 % 5xx against a clean control.
    await report([...http(key, 'on', 200, 16), ...http(key, 'off', 200)]);
    const checkpoint = await run(key);
    // The window's 5xx check and the one over the (young) phase both see the 8 % and stay
    // critical: a mismatch never switches off a rollback or a hold; the alerts say to check it.
    expect(codes(checkpoint)).toEqual([
      'ERROR_RATE_5XX:CRITICAL',
      'ERROR_RATE_5XX:CRITICAL',
      'SAMPLE_RATIO_MISMATCH:WARN',
    ]);
    expect(checkpoint).toMatchObject({ status: 'FAIL', health: 'RED' });
    expect(checkpoint.coverage).toMatchObject({ evaluationsOn: served, evaluationsOff: 300 - served });
    expect(checkpoint.evidence.sample_ratio).toMatchObject({ outcome: 'WARN', observedShare: 0.5 });
    expect(checkpoint.evidence.sample_ratio.pValue as number).toBeLessThan(0.001);
    expect(checkpoint.evidence.http_errors.unreliable).toMatchObject({ alerts: ['ERROR_RATE_5XX'] });
    expect(checkpoint.evidence.error_rate_5xx_phase.unreliable).toMatchObject({ alerts: ['ERROR_RATE_5XX'] });
  });

  it('telemetry that matches the ON share passes the sample ratio check', async () => {
    const key = await phaseAt(10);
    let on = 0;
    for (let i = 0; i < 200; i++) {
      const answer = await t.http
        .post('/api/feature-flags/evaluate')
        .set('x-api-key', service)
        .send({ subjectId: `commuter-${i}`, keys: [key] })
        .expect(200);
      if (answer.body.results[0].enabled) on += 1;
    }
    // One request per evaluation, reported under the variant flagdog answered.
    await report([...http(key, 'on', on), ...http(key, 'off', 200 - on)]);
    const checkpoint = await run(key);
    expect(checkpoint.evidence.sample_ratio.outcome).toBe('PASS');
    expect(checkpoint.evidence.sample_ratio.pValue as number).toBeGreaterThan(0.5);
    expect(codes(checkpoint)).not.toContain('SAMPLE_RATIO_MISMATCH:WARN');
    expect(codes(checkpoint)).not.toContain('TELEMETRY_MISSING:WARN');
  });
});
