import { CHECKLIST_ITEMS } from 'src/beta-monitor/go-no-go/go-no-go';
import { backdatePhase } from './support/phase-clock';
import { DataSource } from 'typeorm';
import { FLAG, PHASE1, PHASE2, setUpPhase1 } from './support/runbook';
import { telemetryToken } from './support/telemetry';
import { startTestApp, TestApp } from './support/test-app';
import { ActingAs, actingAs } from './support/acting-as';

type Alert = {
  code: string;
  severity: string;
  dismissed: { reason: string; dismissedBy: string; dismissedAt: string } | null;
};
type Checkpoint = { id: string; label: string; status: string; alerts: Alert[] };
type Hold = { code: string; checkpointId: string; checkpointLabel: string; message: string };
type Criterion = { code: string; status: string; evidence: Record<string, unknown> };
type GoNoGo = { decision: string; reasons: string[]; automated: Criterion[]; holds: Hold[] };

const ITEMS = CHECKLIST_ITEMS;
const ADMIN = 'root-admin@flagdog.test';

describe('an action per signal (rollback, hold, notify) and alert dismissal', () => {
  let t: TestApp;
  let as: ActingAs;
  let database: DataSource;
  let admin: string;
  let sender: string;

  beforeAll(async () => {
    t = await startTestApp();
    as = await actingAs(t);
    database = t.app.get(DataSource);
    admin = await t.tokenFor('SUPER_ADMIN');
    sender = await telemetryToken(t.http, admin);
    await setUpPhase1(t.http, admin);
  });
  afterAll(() => t.close());

  const base = (key: string) => `/api/admin/beta-monitor/${key}`;
  const goNoGo = async (key = FLAG): Promise<GoNoGo> =>
    (
      await as('ANGEL_VIEWER')
        .get(`${base(key)}/go-no-go`)
        .expect(200)
    ).body;
  const criterion = (view: GoNoGo, code: string) => view.automated.find((c) => c.code === code)!;
  const run = async (key: string): Promise<Checkpoint> =>
    (
      await as('OPERATOR')
        .post(`${base(key)}/run`)
        .send({})
        .expect(201)
    ).body;
  const history = async (key: string) =>
    (await as('SUPER_ADMIN').get(`/api/admin/feature-flags/${key}/history?limit=50`).expect(200)).body.items as {
      action: string;
      actor: string;
      before: Record<string, unknown> | null;
      reason: string | null;
    }[];
  /** Treatment requests, `errors` of them 5xx. */
  const traffic = async (key: string, total: number, errors = 0) => {
    const at = new Date().toISOString();
    const events = Array.from({ length: total }, (_, i) => ({
      type: 'http',
      featureKey: key,
      variant: 'on',
      route: '/match',
      statusCode: i < errors ? 500 : 200,
      latencyMs: 40,
      at,
    }));
    await t.http.post('/api/telemetry/events').set('x-api-key', sender).send({ events }).expect(202);
  };
  /** A flag on for everyone with one started phase, no allowlist. */
  const phaseOf = async (key: string, phase: Record<string, unknown>) => {
    await as('SUPER_ADMIN').post('/api/admin/feature-flags').send({ key }).expect(201);
    const defined = await as('SUPER_ADMIN')
      .put(`${base(key)}/phases`)
      .send({
        phases: [
          { name: 'phase1_beta', expected: { enabled: true, rolloutPercentage: 100, allowlistCount: 0 }, ...phase },
        ],
      })
      .expect(200);
    await as('SUPER_ADMIN')
      .post(`${base(key)}/phases/phase1_beta/start`)
      .send({})
      .expect(200);
    return defined.body.items[0] as { signalActions: Record<string, string> };
  };
  /** The clock moves by moving the phase's start back; the past hours get copies of a real checkpoint. */
  const backdate = (hours: number, copyOf: string) =>
    backdatePhase(database, { featureKey: FLAG, phase: 'phase1_beta', hours, copyOf, fromHour: 1 });

  it('shows every code with its action, the runbook defaults filled in, and refuses unknown codes and actions', async () => {
    const phases = (
      await as('ANGEL_VIEWER')
        .get(`${base(FLAG)}/phases`)
        .expect(200)
    ).body;
    expect(phases.items[0].signalActions).toMatchObject({
      ERROR_RATE_5XX: 'hold',
      DETERMINISM_FAIL: 'hold',
      CRITICAL_COMPLAINT: 'hold',
      CONFIG_DRIFT: 'hold',
      LATENCY_P95: 'notify',
      MINOR_COMPLAINT: 'notify',
    });
    const put = (signalActions: unknown) =>
      as('SUPER_ADMIN')
        .put(`${base(FLAG)}/phases`)
        .send({ phases: [{ ...PHASE1, signalActions }, PHASE2] });
    const unknown = await put({ NOT_A_CODE: 'hold' }).expect(400);
    expect(unknown.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(unknown.body.errors[0]).toMatchObject({ field: 'phases.0.signalActions.NOT_A_CODE' });
    expect(unknown.body.errors[0].message).toContain('unknown alert code NOT_A_CODE');
    await put({ CONFIG_DRIFT: 'ignore' }).expect(400);
    await put(['CONFIG_DRIFT']).expect(400);
    await put('hold').expect(400);
  });

  it('holds a phase on config drift: advance refused 409 PHASE_ON_HOLD until a SUPER_ADMIN dismisses the alert (an OPERATOR may not)', async () => {
    await traffic(FLAG, 60);
    const healthy = await run(FLAG);
    expect(healthy.status).toBe('PASS');
    await backdate(25, healthy.id);
    for (const item of ITEMS)
      await as('OPERATOR')
        .put(`${base(FLAG)}/go-no-go/checklist/${item}`)
        .send({ status: 'PASS' })
        .expect(200);
    expect((await goNoGo()).decision).toBe('GO');

    // Someone raises the rollout by hand; the next checkpoint sees the drift and holds the phase.
    await as('SUPER_ADMIN')
      .patch(`/api/admin/feature-flags/${FLAG}`)
      .send({ rolloutPercentage: 5, reason: 'clicked the wrong flag' })
      .expect(200);
    const drift = await run(FLAG);
    expect(drift.status).toBe('FAIL');
    expect(drift.alerts).toContainEqual(
      expect.objectContaining({ code: 'CONFIG_DRIFT', severity: 'CRITICAL', dismissed: null }),
    );
    const status = (
      await as('ANGEL_VIEWER')
        .get(`${base(FLAG)}/status`)
        .expect(200)
    ).body;
    expect(status.holds).toEqual([
      expect.objectContaining({ code: 'CONFIG_DRIFT', checkpointId: drift.id, checkpointLabel: drift.label }),
    ]);
    expect(status.holds[0].message).toContain('rolloutPercentage is 5');

    // Put back by an operator, but no checkpoint has seen it yet: still on hold.
    await as('OPERATOR')
      .patch(`/api/admin/feature-flags/${FLAG}`)
      .send({ rolloutPercentage: 0, reason: 'back to Phase 1' })
      .expect(200);
    expect((await goNoGo()).holds).toEqual([expect.objectContaining({ code: 'CONFIG_DRIFT', checkpointId: drift.id })]);
    const refused = await as('SUPER_ADMIN')
      .post(`${base(FLAG)}/advance`)
      .send({})
      .expect(409);
    expect(refused.body).toMatchObject({
      code: 'PHASE_ON_HOLD',
      holds: [{ code: 'CONFIG_DRIFT', checkpointId: drift.id }],
    });
    expect(refused.body.detail).toContain(`CONFIG_DRIFT in checkpoint ${drift.label}`);

    const dismiss = (code: string) => `${base(FLAG)}/checkpoints/${drift.id}/alerts/${code}/dismiss`;
    const operator = await as('OPERATOR').post(dismiss('CONFIG_DRIFT')).send({ reason: 'fine' }).expect(403);
    expect(operator.body).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'alerts:dismiss' });
    await as('ANGEL_VIEWER').post(dismiss('CONFIG_DRIFT')).send({ reason: 'fine' }).expect(403);
    await as('SUPER_ADMIN').post(dismiss('CONFIG_DRIFT')).send({}).expect(400);
    await as('SUPER_ADMIN').post(dismiss('CONFIG_DRIFT')).send({ reason: '' }).expect(400);
    await as('SUPER_ADMIN').post(dismiss('config_drift')).send({ reason: 'x' }).expect(400);
    const missing = await as('SUPER_ADMIN').post(dismiss('LATENCY_P95')).send({ reason: 'x' }).expect(404);
    expect(missing.body.code).toBe('ALERT_NOT_FOUND');
    await as('SUPER_ADMIN')
      .post(`${base(FLAG)}/checkpoints/00000000-0000-4000-8000-000000000000/alerts/CONFIG_DRIFT/dismiss`)
      .send({ reason: 'x' })
      .expect(404);

    const dismissed = await as('SUPER_ADMIN')
      .post(dismiss('CONFIG_DRIFT'))
      .send({ reason: 'reverted at once; the 5 % was a wrong click' })
      .expect(200);
    expect(dismissed.body.alerts.find((alert: Alert) => alert.code === 'CONFIG_DRIFT').dismissed).toMatchObject({
      reason: 'reverted at once; the 5 % was a wrong click',
      dismissedBy: ADMIN,
    });
    const again = await as('SUPER_ADMIN').post(dismiss('CONFIG_DRIFT')).send({ reason: 'twice' }).expect(409);
    expect(again.body.code).toBe('ALERT_ALREADY_DISMISSED');

    // Never hidden: the history still lists the checkpoint and its alert, marked dismissed.
    const listed = (
      await as('ANGEL_VIEWER')
        .get(`${base(FLAG)}/checkpoints?status=FAIL`)
        .expect(200)
    ).body.items as Checkpoint[];
    const kept = listed.find((checkpoint) => checkpoint.id === drift.id)!;
    expect(kept.alerts.find((alert) => alert.code === 'CONFIG_DRIFT')?.dismissed?.dismissedBy).toBe(ADMIN);
    const one = (
      await as('ANGEL_VIEWER')
        .get(`${base(FLAG)}/checkpoints/${drift.id}`)
        .expect(200)
    ).body as Checkpoint;
    expect(one.status).toBe('FAIL');
    const event = (await history(FLAG)).find((e) => e.action === 'alert.dismissed');
    expect(event).toMatchObject({
      actor: ADMIN,
      reason: 'reverted at once; the 5 % was a wrong click',
      before: { checkpointId: drift.id, code: 'CONFIG_DRIFT' },
    });

    // Released: no hold, the dismissed drift listed as evidence, GO, and advancing works.
    const view = await goNoGo();
    expect(view.holds).toEqual([]);
    const stable = criterion(view, 'CONFIG_STABLE');
    expect(stable.status).toBe('PASS');
    expect(stable.evidence.dismissed).toEqual([expect.objectContaining({ checkpoint: drift.id })]);
    expect(view.decision).toBe('GO');
    const advanced = await as('SUPER_ADMIN')
      .post(`${base(FLAG)}/advance`)
      .send({})
      .expect(200);
    expect(advanced.body).toMatchObject({ from: 'phase1_beta', to: { name: 'phase2_one_percent' }, forced: false });
  });

  it('releases a hold when a later checkpoint no longer has the alert; a WARN drift (within tolerance) never holds', async () => {
    const key = 'hold_release_flag';
    await phaseOf(key, {});
    const holds = async () =>
      (
        await as('ANGEL_VIEWER')
          .get(`${base(key)}/status`)
          .expect(200)
      ).body.holds as Hold[];
    await as('SUPER_ADMIN')
      .patch(`/api/admin/feature-flags/${key}`)
      .send({ rolloutPercentage: 50, reason: 'too early' })
      .expect(200);
    const drift = await run(key);
    expect(await holds()).toEqual([expect.objectContaining({ code: 'CONFIG_DRIFT', checkpointId: drift.id })]);
    await as('SUPER_ADMIN')
      .patch(`/api/admin/feature-flags/${key}`)
      .send({ rolloutPercentage: 100, reason: 'back to the phase' })
      .expect(200);
    const clean = await run(key);
    expect(clean.alerts.map((alert) => alert.code)).not.toContain('CONFIG_DRIFT');
    expect(await holds()).toEqual([]);
    // The earlier alert is history: still there, not dismissed.
    const earlier = (
      await as('ANGEL_VIEWER')
        .get(`${base(key)}/checkpoints/${drift.id}`)
        .expect(200)
    ).body as Checkpoint;
    expect(earlier.alerts).toContainEqual(expect.objectContaining({ code: 'CONFIG_DRIFT', dismissed: null }));
    await as('SUPER_ADMIN')
      .post(`/api/admin/feature-flags/${key}/allowlist`)
      .send({ subjectIds: ['one-extra'] })
      .expect(200);
    const warned = await run(key);
    expect(warned.alerts).toContainEqual(expect.objectContaining({ code: 'CONFIG_DRIFT', severity: 'WARN' }));
    expect(await holds()).toEqual([]);
  });

  it('mapping ERROR_RATE_5XX to notify alerts without rolling back; a dismissed trigger no longer fails NO_ROLLBACK_TRIGGERS', async () => {
    const key = 'notify_5xx_flag';
    const phase = await phaseOf(key, { autoRollback: true, signalActions: { ERROR_RATE_5XX: 'notify' } });
    expect(phase.signalActions).toMatchObject({ ERROR_RATE_5XX: 'notify', DETERMINISM_FAIL: 'rollback' });
    await traffic(key, 40, 10);
    const checkpoint = await run(key);
    expect(checkpoint.status).toBe('FAIL');
    const codes = checkpoint.alerts.map((alert) => `${alert.code}:${alert.severity}`);
    expect(codes).toContain('ERROR_RATE_5XX:CRITICAL');
    expect(codes).not.toContain('ROLLBACK_EXECUTED:CRITICAL');
    const flag = await as('ANGEL_VIEWER').get(`/api/admin/feature-flags/${key}`).expect(200);
    expect(flag.body).toMatchObject({ enabled: true, rolloutPercentage: 100 });
    expect(
      (
        await as('ANGEL_VIEWER')
          .get(`${base(key)}/status`)
          .expect(200)
      ).body.holds,
    ).toEqual([]);

    const before = await goNoGo(key);
    expect(criterion(before, 'NO_ROLLBACK_TRIGGERS').status).toBe('FAIL');
    await as('SUPER_ADMIN')
      .post(`${base(key)}/checkpoints/${checkpoint.id}/alerts/ERROR_RATE_5XX/dismiss`)
      .send({ reason: 'load test traffic, not users' })
      .expect(200);
    const after = await goNoGo(key);
    const triggers = criterion(after, 'NO_ROLLBACK_TRIGGERS');
    expect(triggers.status).toBe('PASS');
    expect(triggers.evidence.dismissed).toEqual([
      expect.objectContaining({
        checkpoint: checkpoint.id,
        code: 'ERROR_RATE_5XX',
        dismissed: expect.objectContaining({ dismissedBy: ADMIN, reason: 'load test traffic, not users' }),
      }),
    ]);
    expect(criterion(after, 'ERROR_5XX_NO_INCREASE').status).not.toBe('FAIL');
  });

  it('mapping ERROR_RATE_5XX to rollback rolls the phase back (Level 1) without autoRollback', async () => {
    const key = 'rollback_5xx_flag';
    const phase = await phaseOf(key, { signalActions: { ERROR_RATE_5XX: 'rollback' } });
    expect(phase.signalActions).toMatchObject({ ERROR_RATE_5XX: 'rollback', DETERMINISM_FAIL: 'hold' });
    await traffic(key, 40, 10);
    const checkpoint = await run(key);
    expect(checkpoint.alerts.map((alert) => `${alert.code}:${alert.severity}`)).toEqual(
      expect.arrayContaining(['ERROR_RATE_5XX:CRITICAL', 'ROLLBACK_EXECUTED:CRITICAL']),
    );
    const flag = await as('ANGEL_VIEWER').get(`/api/admin/feature-flags/${key}`).expect(200);
    expect(flag.body).toMatchObject({ enabled: false, rolloutPercentage: 0, updatedBy: 'beta-monitor' });
    const executed = (await history(key)).find((event) => event.action === 'rollback.executed');
    expect(executed).toBeDefined();
  });
});
