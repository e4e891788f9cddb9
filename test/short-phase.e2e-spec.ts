import { CHECKLIST_ITEMS } from 'src/beta-monitor/go-no-go/go-no-go';
import { DataSource } from 'typeorm';
import { BetaMonitorScheduler } from 'src/beta-monitor/beta-monitor.scheduler';
import { runbookPhases } from 'src/cli/seed-runbook';
import { BETA, FLAG } from './support/runbook';
import { telemetryToken } from './support/telemetry';
import { startTestApp, TestApp } from './support/test-app';

const ITEMS = CHECKLIST_ITEMS;
/** Scheduled checkpoints every 10 seconds: the demo's kind of schedule. */
const CADENCE_MS = 10_000;
const bearer = { type: 'bearer' as const };

type GoNoGo = {
  decision: string;
  reasons: string[];
  startedAt: string;
  dueAt: string;
  automated: { code: string; status: string; message: string }[];
  nextPhase: string | null;
};

/**
 * A phase of one minute (`minDurationMinutes`) on a 10-second schedule goes from PENDING to GO and
 * advances, as `npm run demo -- --phase-minutes N` does. The clock moves by moving the phase's
 * start back 75 seconds; the scheduled checkpoints of those seconds are run for real, slot by slot.
 */
describe('a short phase reaches GO and advances', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;
  const base = `/api/admin/beta-monitor/${FLAG}`;

  beforeAll(async () => {
    t = await startTestApp({ env: { BETA_MONITOR_CRON: `*/${CADENCE_MS / 1000} * * * * *` } });
    admin = await t.tokenFor('SUPER_ADMIN');
    operator = await t.tokenFor('OPERATOR');
    await t.http
      .post('/api/admin/feature-flags')
      .auth(admin, bearer)
      .send({ key: FLAG, description: 'Passenger favorites matching' })
      .expect(201);
    await t.http.post(`/api/admin/feature-flags/${FLAG}/allowlist`).auth(admin, bearer).send({ subjectIds: BETA });
  });
  afterAll(() => t.close());

  const goNoGo = async (): Promise<GoNoGo> => (await t.http.get(`${base}/go-no-go`).auth(operator, bearer)).body;
  const statuses = (view: GoNoGo) => Object.fromEntries(view.automated.map((c) => [c.code, c.status]));

  it('takes a duration in minutes or in hours, not both', async () => {
    const [phase1] = runbookPhases(1);
    const both = await t.http
      .put(`${base}/phases`)
      .auth(admin, bearer)
      .send({ phases: [{ ...phase1, minDurationHours: 24 }] })
      .expect(400);
    expect(both.body.errors).toEqual([
      {
        field: 'phases.0.minDurationMinutes',
        message: 'minDurationMinutes and minDurationHours cannot both be given; send one of them',
      },
    ]);
    for (const minutes of [0, 1.5, '5'])
      await t.http
        .put(`${base}/phases`)
        .auth(admin, bearer)
        .send({ phases: [{ ...phase1, minDurationMinutes: minutes }] })
        .expect(400);
  });

  it('is PENDING with a due time one minute after the start', async () => {
    const defined = await t.http
      .put(`${base}/phases`)
      .auth(admin, bearer)
      .send({ phases: runbookPhases(1) })
      .expect(200);
    expect(defined.body.items[0]).toMatchObject({ minDurationMinutes: 1, minDurationHours: 1 / 60 });
    await t.http.post(`${base}/phases/phase1_beta/start`).auth(admin, bearer).send({}).expect(200);
    const view = await goNoGo();
    expect(view.decision).toBe('PENDING');
    expect(Date.parse(view.dueAt) - Date.parse(view.startedAt)).toBe(60_000);
    const status = await t.http.get(`${base}/status`).auth(operator, bearer).expect(200);
    expect(status.body.goNoGoDueAt).toBe(view.dueAt);
  });

  it('is GO once the minute has passed with every 10-second slot checked and the checklist signed; advance starts Phase 2', async () => {
    const reporter = await telemetryToken(t.http, admin);
    const at = new Date().toISOString();
    const events = ['on', 'off'].flatMap((variant) =>
      Array.from({ length: 60 }, () => ({
        type: 'http',
        featureKey: FLAG,
        variant,
        route: '/match',
        statusCode: 200,
        latencyMs: 40,
        at,
      })),
    );
    await t.http.post('/api/telemetry/events').set('x-api-key', reporter).send({ events }).expect(202);
    for (const item of ITEMS)
      await t.http
        .put(`${base}/go-no-go/checklist/${item}`)
        .auth(operator, bearer)
        .send({ status: 'PASS', note: 'looked at' })
        .expect(200);
    const early = await goNoGo();
    expect(early.decision).toBe('PENDING');
    expect(early.reasons).toEqual([`due at ${early.dueAt}`]);

    await t.app
      .get(DataSource)
      .query(
        `UPDATE beta_monitor_phases SET started_at = started_at - interval '75 seconds' WHERE feature_key = $1 AND name = 'phase1_beta'`,
        [FLAG],
      );
    const startedAt = Date.parse((await goNoGo()).startedAt);
    const scheduler = t.app.get(BetaMonitorScheduler);
    const slots = [];
    for (
      let slot = Math.floor(startedAt / CADENCE_MS) * CADENCE_MS + CADENCE_MS;
      slot <= Date.now();
      slot += CADENCE_MS
    )
      slots.push(slot);
    for (const slot of slots) await scheduler.onTick(new Date(slot));

    const go = await goNoGo();
    expect(statuses(go)).toEqual({
      ERROR_5XX_NO_INCREASE: 'PASS',
      CONFIG_STABLE: 'PASS',
      NO_ROLLBACK_TRIGGERS: 'PASS',
      CHECKPOINT_COVERAGE: 'PASS',
    });
    expect(go.automated.find((c) => c.code === 'CHECKPOINT_COVERAGE')?.message).toMatch(/10-second slot\(s\)/);
    expect(go.decision).toBe('GO');

    const advanced = await t.http.post(`${base}/advance`).auth(admin, bearer).send({}).expect(200);
    expect(advanced.body).toMatchObject({ from: 'phase1_beta', to: { name: 'phase2_one_percent' }, forced: false });
    const flag = await t.http.get(`/api/admin/feature-flags/${FLAG}`).auth(operator, bearer).expect(200);
    expect(flag.body).toMatchObject({ enabled: true, rolloutPercentage: 1 });
    const next = await goNoGo();
    expect(next.decision).toBe('PENDING');
    expect(Date.parse(next.dueAt) - Date.parse(next.startedAt)).toBe(60_000);
  });
});
