import { DataSource } from 'typeorm';
import { FLAG, setUpPhase1 } from './support/runbook';
import { telemetryToken } from './support/telemetry';
import { startTestApp, TestApp } from './support/test-app';
import { ActingAs, actingAs } from './support/acting-as';

type Alert = { code: string; severity: string; message: string };
type Checkpoint = {
  status: string;
  health: string;
  alerts: Alert[];
  evidence: Record<string, Record<string, unknown> & { outcome: string }>;
};

const H = 3_600_000;
const HOURS = 12;
/** Every hour: treatment 250 requests with 5 5xx (2 %), control 1,000 with 10 (1 %): a doubled rate. */
const TREATMENT = { requests: 250, errors: 5 };
const CONTROL = { requests: 1_000, errors: 10 };

describe('beta monitor: a doubled 5xx rate that no single hour shows, caught over the phase', () => {
  let t: TestApp;
  let as: ActingAs;
  let sender: string;
  let now: number;

  beforeAll(async () => {
    t = await startTestApp();
    as = await actingAs(t);
    const admin = await t.tokenFor('SUPER_ADMIN');
    sender = await telemetryToken(t.http, admin);
    await setUpPhase1(t.http, admin);
    // The clock moves by moving the phase's start back (as in the go/no-go test); telemetry keeps its own `at`.
    await t.app
      .get(DataSource)
      .query(
        `UPDATE beta_monitor_phases SET started_at = started_at - make_interval(hours => $2) WHERE feature_key = $1 AND name = 'phase1_beta'`,
        [FLAG, HOURS + 1],
      );
    now = Date.now();
  });
  afterAll(() => t.close());

  /** Hour `i` of the last HOURS (0 = the oldest), its events spread over its minutes, posted over HTTP. */
  const sendHour = async (i: number) => {
    const start = now - (HOURS - i) * H;
    const events = (['on', 'off'] as const).flatMap((variant) => {
      const { requests, errors } = variant === 'on' ? TREATMENT : CONTROL;
      return Array.from({ length: requests }, (_, n) => ({
        type: 'http',
        featureKey: FLAG,
        variant,
        route: '/match',
        statusCode: n < errors ? 500 : 200,
        latencyMs: 40,
        at: new Date(start + 60_000 + Math.floor((n * (H - 120_000)) / requests)).toISOString(),
      }));
    });
    const answer = await t.http.post('/api/telemetry/events').set('x-api-key', sender).send({ events }).expect(202);
    expect(answer.body).toEqual({ accepted: TREATMENT.requests + CONTROL.requests, rejected: [] });
  };
  const run = async (): Promise<Checkpoint> =>
    (await as('OPERATOR').post(`/api/admin/beta-monitor/${FLAG}/run`).send({ phase: 'phase1_beta' }).expect(201)).body;
  const codes = (checkpoint: Checkpoint) => checkpoint.alerts.map((alert) => `${alert.code}:${alert.severity}`);

  it('after four hours the evidence is not yet enough: the phase check passes', async () => {
    for (let i = 0; i < 4; i++) await sendHour(i);
    const checkpoint = await run();
    expect(checkpoint.evidence.error_rate_5xx_phase).toMatchObject({
      outcome: 'PASS',
      rejected: false,
      treatment: { requests: 1_000, c5xx: 20 },
      control: { requests: 4_000, c5xx: 40 },
    });
    expect(checkpoint.evidence.error_rate_5xx_phase.pValue).toBeGreaterThan(0.01);
    expect(checkpoint.health).not.toBe('RED');
  });

  it('after twelve hours the phase check fails the checkpoint (RED), while the last hour alone is only a WARN', async () => {
    for (let i = 4; i < HOURS; i++) await sendHour(i);
    const checkpoint = await run();
    expect(checkpoint).toMatchObject({ status: 'FAIL', health: 'RED' });
    // The hourly window: 5 of 250 against 10 of 1,000 is above control but not significant.
    expect(checkpoint.evidence.http_errors).toMatchObject({
      outcome: 'WARN',
      treatment: { total: 250, c5xx: 5 },
      control: { total: 1_000, c5xx: 10 },
    });
    expect(checkpoint.evidence.http_errors.pValue5xx).toBeGreaterThan(0.05);
    const phase = checkpoint.evidence.error_rate_5xx_phase;
    expect(phase).toMatchObject({
      outcome: 'FAIL',
      rejected: true,
      alpha: 0.01,
      threshold: 100,
      treatment: { requests: 3_000, c5xx: 60 },
      control: { requests: 12_000, c5xx: 120 },
      rateRatio: 2,
    });
    expect(phase.pValue).toBeLessThan(0.01);
    expect(codes(checkpoint).sort()).toEqual(['ERROR_RATE_5XX:CRITICAL', 'ERROR_RATE_5XX:WARN']);
    const critical = checkpoint.alerts.find((alert) => alert.severity === 'CRITICAL')!;
    expect(critical.message).toContain('5xx rate over the phase 2 % (60 of 3000) against control 1 % (120 of 12000)');
    // No matching outcomes were reported: the matching check over the phase has nothing to say.
    expect(checkpoint.evidence.matching_success_phase.outcome).toBe('INSUFFICIENT_DATA');
  });

  it('the go/no-go’s 5xx criterion fails on it, and names a rollback trigger', async () => {
    const goNoGo = await as('ANGEL_VIEWER').get(`/api/admin/beta-monitor/${FLAG}/go-no-go`).expect(200);
    const criteria = Object.fromEntries(
      (goNoGo.body.automated as { code: string; status: string }[]).map((c) => [c.code, c.status]),
    );
    expect(criteria).toMatchObject({ ERROR_5XX_NO_INCREASE: 'FAIL', NO_ROLLBACK_TRIGGERS: 'FAIL' });
    expect(goNoGo.body.decision).toBe('NO_GO');
  });
});
