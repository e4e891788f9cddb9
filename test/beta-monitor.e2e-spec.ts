import { DataSource } from 'typeorm';
import { BETA, FLAG, setUpPhase1 } from './support/runbook';
import { telemetryToken } from './support/telemetry';
import { startTestApp, TestApp } from './support/test-app';
import { ActingAs, actingAs } from './support/acting-as';

type Checkpoint = {
  id: string;
  status: string;
  health: string;
  label: string;
  alerts: { code: string; severity: string; message: string }[];
};

describe('beta monitor dog: checkpoints on the runbook Phase 1', () => {
  let t: TestApp;
  let as: ActingAs;
  let admin: string;
  let operator: string;
  let service: string;

  beforeAll(async () => {
    t = await startTestApp();
    as = await actingAs(t);
    admin = await t.tokenFor('SUPER_ADMIN');
    operator = await t.tokenFor('OPERATOR');
    // The matching backend evaluates its flag and reports its traffic.
    service = await telemetryToken(t.http, admin, {
      name: 'matching-backend',
      permissions: ['flags:evaluate', 'telemetry:write'],
    });
    await setUpPhase1(t.http, admin);
  });
  afterAll(() => t.close());

  /** The runbook's manual run, verbatim body. */
  const run = async (token = operator): Promise<Checkpoint> => {
    const response = await t.http
      .post(`/api/admin/beta-monitor/${FLAG}/run`)
      .auth(token, { type: 'bearer' })
      .set('content-type', 'application/json')
      .send('{"phase":"phase1_beta"}')
      .expect(201);
    return response.body;
  };
  const codes = (checkpoint: Checkpoint) => checkpoint.alerts.map((alert) => `${alert.code}:${alert.severity}`).sort();

  it('answers PASS / GREEN for a healthy Phase 1, and refuses ANGEL_VIEWER', async () => {
    const checkpoint = await run();
    expect(checkpoint).toMatchObject({ status: 'PASS', health: 'GREEN', alerts: [] });
    const refused = await as('ANGEL_VIEWER')
      .post(`/api/admin/beta-monitor/${FLAG}/run`)
      .send({ phase: 'phase1_beta' })
      .expect(403);
    expect(refused.body).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'checkpoints:run' });
    const stored = await as('ANGEL_VIEWER')
      .get(`/api/admin/beta-monitor/${FLAG}/checkpoints/${checkpoint.id}`)
      .expect(200);
    expect(stored.body).toMatchObject({ id: checkpoint.id, status: 'PASS', trigger: 'manual' });
    expect(stored.body.determinism.probes).toHaveLength(2);
  });

  it('warns with CONFIG_DRIFT when one beta passenger is removed', async () => {
    await as('OPERATOR').delete(`/api/admin/feature-flags/${FLAG}/allowlist/${BETA[9]}`).expect(204);
    const checkpoint = await run();
    expect(checkpoint).toMatchObject({ status: 'WARN', health: 'YELLOW' });
    expect(codes(checkpoint)).toEqual(['CONFIG_DRIFT:WARN']);
    await as('SUPER_ADMIN')
      .post(`/api/admin/feature-flags/${FLAG}/allowlist`)
      .send({ subjectIds: [BETA[9]] })
      .expect(200);
  });

  it('fails with CONFIG_DRIFT naming who raised the rollout to 5 %', async () => {
    await as('SUPER_ADMIN')
      .put(`/api/admin/feature-flags/${FLAG}`)
      .send({ enabled: true, rolloutPercentage: 5 })
      .expect(200);
    const checkpoint = await run();
    expect(checkpoint).toMatchObject({ status: 'FAIL', health: 'RED' });
    const drift = checkpoint.alerts.find((alert) => alert.code === 'CONFIG_DRIFT' && alert.severity === 'CRITICAL');
    expect(drift?.message).toContain('root-admin@flagdog.test');
    await as('OPERATOR')
      .put(`/api/admin/feature-flags/${FLAG}`)
      .send({ enabled: true, rolloutPercentage: 0 })
      .expect(200);
  });

  it('fails with DETERMINISM_FAIL when a probe leaves the allowlist', async () => {
    await as('OPERATOR').delete(`/api/admin/feature-flags/${FLAG}/allowlist/pass_beta_005_2026`).expect(204);
    const checkpoint = await run();
    expect(checkpoint.status).toBe('FAIL');
    expect(codes(checkpoint)).toEqual(expect.arrayContaining(['DETERMINISM_FAIL:CRITICAL']));
    await as('SUPER_ADMIN')
      .post(`/api/admin/feature-flags/${FLAG}/allowlist`)
      .send({ subjectIds: ['pass_beta_005_2026'] })
      .expect(200);
    expect((await run()).status).toBe('PASS');
  });

  it('fails with ERROR_RATE_5XX on a burst of treatment 5xx against a clean control', async () => {
    const at = new Date().toISOString();
    const events = [
      ...Array.from({ length: 1000 }, (_, i) => ({
        type: 'http',
        featureKey: FLAG,
        variant: 'off',
        route: '/match',
        statusCode: 200,
        latencyMs: 40 + (i % 20),
        at,
      })),
      ...Array.from({ length: 200 }, (_, i) => ({
        type: 'http',
        featureKey: FLAG,
        variant: 'on',
        route: '/match',
        statusCode: i % 4 === 0 ? 503 : 200,
        latencyMs: 45,
        at,
      })),
    ];
    const sent = await t.http.post('/api/telemetry/events').set('x-api-key', service).send({ events }).expect(202);
    expect(sent.body.accepted).toBe(1200);
    const checkpoint = await run();
    expect(checkpoint.status).toBe('FAIL');
    expect(codes(checkpoint)).toEqual(expect.arrayContaining(['ERROR_RATE_5XX:CRITICAL']));
  });

  it("keeps every checkpoint in beta_monitor_checkpoints, where the runbook's SQL finds them", async () => {
    const database = t.app.get(DataSource);
    const recent = await database.query(`SELECT 
  checkpoint_label,
  status,
  created_at,
  (alerts_json::jsonb) as alerts
FROM beta_monitor_checkpoints
WHERE feature_key = 'passenger_favorites_matching'
ORDER BY created_at DESC
LIMIT 10;`);
    expect(recent.length).toBeGreaterThanOrEqual(6);
    expect(recent.map((row: { status: string }) => row.status)).toEqual(
      expect.arrayContaining(['PASS', 'WARN', 'FAIL']),
    );
    const failed = await database.query(`SELECT * FROM beta_monitor_checkpoints
WHERE feature_key = 'passenger_favorites_matching'
  AND status = 'FAIL'
ORDER BY created_at DESC;`);
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(failed[0].alerts_json.map((alert: { code: string }) => alert.code)).toContain('ERROR_RATE_5XX');
  });

  it('lists checkpoints with filters and paging, and reports the status', async () => {
    const all = await as('OPERATOR').get(`/api/admin/beta-monitor/${FLAG}/checkpoints?limit=2`).expect(200);
    expect(all.body.items).toHaveLength(2);
    const next = await as('OPERATOR')
      .get(`/api/admin/beta-monitor/${FLAG}/checkpoints?limit=2&cursor=${encodeURIComponent(all.body.nextCursor)}`)
      .expect(200);
    expect(next.body.items[0].id).not.toBe(all.body.items[1].id);
    const failed = await as('OPERATOR').get(`/api/admin/beta-monitor/${FLAG}/checkpoints?status=FAIL`).expect(200);
    expect(failed.body.items.every((item: Checkpoint) => item.status === 'FAIL')).toBe(true);
    const status = await as('OPERATOR').get(`/api/admin/beta-monitor/${FLAG}/status`).expect(200);
    expect(status.body).toMatchObject({ featureKey: FLAG, health: 'RED', phase: { name: 'phase1_beta' } });
    expect(Date.parse(status.body.goNoGoDueAt) - Date.parse(status.body.phase.startedAt)).toBe(24 * 3_600_000);
  });

  it('records complaints, and a critical one fails the next checkpoint', async () => {
    await as('OPERATOR')
      .post(`/api/admin/beta-monitor/${FLAG}/complaints`)
      .send({ subjectId: 'pass_beta_003_2026', severity: 'critical', summary: 'Matched with a driver across town' })
      .expect(201);
    const list = await as('OPERATOR').get(`/api/admin/beta-monitor/${FLAG}/complaints`).expect(200);
    expect(list.body.items[0]).toMatchObject({ severity: 'critical', subjectId: 'pass_beta_003_2026' });
    expect(codes(await run())).toEqual(expect.arrayContaining(['CRITICAL_COMPLAINT:CRITICAL']));
  });

  it('refuses unknown flags and phases, bad bodies and a reused label', async () => {
    await as('OPERATOR').post('/api/admin/beta-monitor/no_such_flag/run').send({ phase: 'phase1_beta' }).expect(404);
    const phase = await as('OPERATOR')
      .post(`/api/admin/beta-monitor/${FLAG}/run`)
      .send({ phase: 'phase9_everyone' })
      .expect(404);
    expect(phase.body.code).toBe('PHASE_NOT_FOUND');
    await as('OPERATOR')
      .post(`/api/admin/beta-monitor/${FLAG}/run`)
      .send({ phase: 'phase1_beta', extra: 1 })
      .expect(400);
    await as('OPERATOR')
      .post(`/api/admin/beta-monitor/${FLAG}/run`)
      .send({ phase: 'phase1_beta', label: 'once' })
      .expect(201);
    const reserved = await as('OPERATOR')
      .post(`/api/admin/beta-monitor/${FLAG}/run`)
      .send({ label: 'scheduled-2030-01-01T00:00Z' })
      .expect(400);
    expect(reserved.body.errors[0].field).toBe('label');
    const again = await as('OPERATOR')
      .post(`/api/admin/beta-monitor/${FLAG}/run`)
      .send({ phase: 'phase1_beta', label: 'once' })
      .expect(409);
    expect(again.body.code).toBe('CHECKPOINT_EXISTS');
    await as('OPERATOR').put(`/api/admin/beta-monitor/${FLAG}/phases`).send({ phases: [] }).expect(403);
    await as('SUPER_ADMIN').put(`/api/admin/beta-monitor/${FLAG}/phases`).send({ phases: [] }).expect(400);
  });

  it('rolls an opted-in phase back (Level 1) on a critical complaint, once, and audits it', async () => {
    const key = 'auto_rollback_flag';
    await as('SUPER_ADMIN').post('/api/admin/feature-flags').send({ key }).expect(201);
    await as('SUPER_ADMIN')
      .post(`/api/admin/feature-flags/${key}/allowlist`)
      .send({ subjectIds: ['vip-1'] })
      .expect(200);
    const phase = {
      name: 'phase1_beta',
      expected: { enabled: true, rolloutPercentage: 0, allowlistCount: 1 },
      determinismProbes: [{ subjectId: 'vip-1', inAllowlist: true }],
      autoRollback: true,
    };
    await as('SUPER_ADMIN')
      .put(`/api/admin/beta-monitor/${key}/phases`)
      .send({ phases: [phase] })
      .expect(200);
    await as('SUPER_ADMIN').post(`/api/admin/beta-monitor/${key}/phases/phase1_beta/start`).send({}).expect(200);
    await as('OPERATOR')
      .post(`/api/admin/beta-monitor/${key}/complaints`)
      .send({ subjectId: 'vip-1', severity: 'critical', summary: 'Wrong pickup' })
      .expect(201);

    const first = (await as('OPERATOR').post(`/api/admin/beta-monitor/${key}/run`).send({}).expect(201))
      .body as Checkpoint;
    expect(first.status).toBe('FAIL');
    expect(codes(first)).toEqual(expect.arrayContaining(['CRITICAL_COMPLAINT:CRITICAL', 'ROLLBACK_EXECUTED:CRITICAL']));
    const flag = await as('OPERATOR').get(`/api/admin/feature-flags/${key}`).expect(200);
    expect(flag.body).toMatchObject({ enabled: false, rolloutPercentage: 0, updatedBy: 'beta-monitor' });
    const evaluation = await t.http
      .get(`/api/feature-flags/${key}/evaluate?subjectId=vip-1`)
      .set('x-api-key', service)
      .expect(200);
    expect(evaluation.body.reason).toBe('DISABLED');
    const history = await as('OPERATOR').get(`/api/admin/feature-flags/${key}/history`).expect(200);
    expect(history.body.items.map((event: { action: string }) => event.action)).toEqual(
      expect.arrayContaining(['rollback.executed', 'flag.updated']),
    );
    const executed = history.body.items.find((event: { action: string }) => event.action === 'rollback.executed');
    expect(executed.after).toMatchObject({
      checkpointLabel: first.label,
      causes: ['CRITICAL_COMPLAINT'],
      verified: true,
    });

    const second = (await as('OPERATOR').post(`/api/admin/beta-monitor/${key}/run`).send({}).expect(201))
      .body as Checkpoint;
    expect(codes(second)).not.toContain('ROLLBACK_EXECUTED:CRITICAL');
  });
});
