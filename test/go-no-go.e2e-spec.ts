import { CHECKLIST_ITEMS } from 'src/beta-monitor/go-no-go/go-no-go';
import { backdatePhase, HOUR_MS } from './support/phase-clock';
import { DataSource } from 'typeorm';
import { FLAG, PHASE1, PHASE2, setUpPhase1 } from './support/runbook';
import { telemetryToken } from './support/telemetry';
import { startTestApp, TestApp } from './support/test-app';
import { ActingAs, actingAs } from './support/acting-as';

type Criterion = { code: string; status: string };
type Item = { item: string; suggested: string; signed: { status: string; signedBy: string } | null };
type GoNoGo = {
  decision: string;
  reasons: string[];
  startedAt: string;
  dueAt: string;
  nextReviewAt: string | null;
  automated: Criterion[];
  checklist: Item[];
  nextPhase: string | null;
};
type AuditEvent = {
  action: string;
  actor: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
};

const ITEMS = CHECKLIST_ITEMS;
const PHASE3 = {
  name: 'phase3_five_percent',
  expected: { enabled: true, rolloutPercentage: 5, allowlistCount: 10 },
  determinismProbes: PHASE1.determinismProbes,
};
const H = HOUR_MS;
const bearer = { type: 'bearer' as const };

describe('go/no-go and advancing on the runbook Phase 1', () => {
  let t: TestApp;
  let as: ActingAs;
  let database: DataSource;
  let admin: string;
  let operator: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp();
    as = await actingAs(t);
    database = t.app.get(DataSource);
    admin = await t.tokenFor('SUPER_ADMIN');
    operator = await t.tokenFor('OPERATOR');
    viewer = await t.tokenFor('ANGEL_VIEWER');
    await setUpPhase1(t.http, admin);
    await as('SUPER_ADMIN')
      .put(`/api/admin/beta-monitor/${FLAG}/phases`)
      .send({ phases: [PHASE1, PHASE2, PHASE3] })
      .expect(200);
  });
  afterAll(() => t.close());

  const base = `/api/admin/beta-monitor/${FLAG}`;
  let sender: Promise<string> | null = null;
  const reporter = (): Promise<string> => (sender ??= telemetryToken(t.http, admin));
  const goNoGo = async (token = viewer): Promise<GoNoGo> =>
    (await t.http.get(`${base}/go-no-go`).auth(token, bearer).expect(200)).body;
  const sign = (item: string, status: string, token = operator) =>
    t.http
      .put(`${base}/go-no-go/checklist/${item}`)
      .auth(token, bearer)
      .send({ status, note: `${item} looked at` });
  const signAll = async (status = 'PASS') => {
    for (const item of ITEMS) await sign(item, status).expect(200);
  };
  const statuses = (criteria: { code?: string; item?: string; status?: string; suggested?: string }[]) =>
    Object.fromEntries(criteria.map((c) => [c.code ?? c.item, c.status ?? c.suggested]));
  const history = async (): Promise<AuditEvent[]> =>
    (await as('SUPER_ADMIN').get(`/api/admin/feature-flags/${FLAG}/history?limit=50`).expect(200)).body.items;

  /** Healthy treatment traffic, then a manual checkpoint: enough data for the 5xx check. */
  const runHealthy = async (): Promise<string> => {
    const at = new Date().toISOString();
    const events = Array.from({ length: 60 }, () => ({
      type: 'http',
      featureKey: FLAG,
      variant: 'on',
      route: '/match',
      statusCode: 200,
      latencyMs: 40,
      at,
    }));
    await t.http
      .post('/api/telemetry/events')
      .set('x-api-key', await reporter())
      .send({ events })
      .expect(202);
    const checkpoint = await as('OPERATOR').post(`${base}/run`).send({ phase: 'phase1_beta' }).expect(201);
    expect(checkpoint.body.status).toBe('PASS');
    return checkpoint.body.id;
  };

  /** The clock moves by moving the phase's start back; the past hours get copies of a real checkpoint. */
  const backdate = (hours: number, copyOf: string) =>
    backdatePhase(database, { featureKey: FLAG, phase: 'phase1_beta', hours, copyOf, fromHour: 0 });

  let healthy: string;

  it('is PENDING before T+24h, with the automated criteria and the pre-filled checklist, readable by everyone', async () => {
    healthy = await runHealthy();
    const view = await goNoGo();
    expect(view.decision).toBe('PENDING');
    expect(Date.parse(view.dueAt) - Date.parse(view.startedAt)).toBe(24 * H);
    expect(view.nextPhase).toBe('phase2_one_percent');
    expect(statuses(view.automated)).toEqual({
      ERROR_5XX_NO_INCREASE: 'PASS',
      CONFIG_STABLE: 'PASS',
      NO_ROLLBACK_TRIGGERS: 'PASS',
      CHECKPOINT_COVERAGE: 'INSUFFICIENT_DATA',
    });
    expect(statuses(view.checklist)).toMatchObject({
      RESOLVER_DETERMINISM: 'PASS',
      ZERO_CRITICAL_COMPLAINTS: 'PASS',
      MATCHING_SUCCESS_RATE: 'INSUFFICIENT_DATA',
    });
    expect(view.checklist.every((item) => item.signed === null)).toBe(true);
  });

  it('validates signatures and refuses ANGEL_VIEWER', async () => {
    const refused = await sign('TIME_TO_MATCH', 'PASS', viewer).expect(403);
    expect(refused.body).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'checklist:sign' });
    await sign('NOT_AN_ITEM', 'PASS').expect(404);
    await sign('TIME_TO_MATCH', 'MAYBE').expect(400);
    await as('OPERATOR').put(`${base}/go-no-go/checklist/TIME_TO_MATCH`).send({ status: 'PASS', extra: 1 }).expect(400);
  });

  it('is NO_GO at once on a signed FAIL, even before the due time; re-signing replaces it (audited)', async () => {
    await signAll('PASS');
    expect((await goNoGo()).decision).toBe('PENDING');
    const failed = (await sign('RESOLVER_DETERMINISM', 'FAIL').expect(200)).body as GoNoGo;
    expect(failed.decision).toBe('NO_GO');
    expect(failed.reasons).toContain('RESOLVER_DETERMINISM FAIL');
    const resigned = (await sign('RESOLVER_DETERMINISM', 'PASS', admin).expect(200)).body as GoNoGo;
    expect(resigned.decision).toBe('PENDING');
    expect(resigned.checklist.find((item) => item.item === 'RESOLVER_DETERMINISM')?.signed).toMatchObject({
      status: 'PASS',
      signedBy: 'root-admin@flagdog.test',
    });
    const signed = (await history()).filter((event) => event.action === 'checklist.signed');
    expect(signed.length).toBe(ITEMS.length + 2);
    expect(signed[0]).toMatchObject({
      before: { status: 'FAIL' },
      after: { item: 'RESOLVER_DETERMINISM', status: 'PASS', phase: 'phase1_beta' },
    });
  });

  it('after T+24h with hourly checkpoints and every item PASS → GO; a WARN → EXTEND 24 h; a FAIL → NO_GO', async () => {
    await backdate(25, healthy);
    const go = await goNoGo();
    expect(statuses(go.automated)).toEqual({
      ERROR_5XX_NO_INCREASE: 'PASS',
      CONFIG_STABLE: 'PASS',
      NO_ROLLBACK_TRIGGERS: 'PASS',
      CHECKPOINT_COVERAGE: 'PASS',
    });
    expect(go.decision).toBe('GO');

    const extend = (await sign('API_LATENCY_P95', 'WARN').expect(200)).body as GoNoGo;
    expect(extend.decision).toBe('EXTEND');
    expect(Date.parse(extend.nextReviewAt!) - Date.parse(extend.dueAt)).toBe(24 * H);

    const noGo = (await sign('ZERO_CRITICAL_COMPLAINTS', 'FAIL').expect(200)).body as GoNoGo;
    expect(noGo.decision).toBe('NO_GO');
  });

  it('refuses to advance on NO_GO (409), OPERATOR and ANGEL_VIEWER (403), and force without a reason (400)', async () => {
    const refused = await as('SUPER_ADMIN').post(`${base}/advance`).send({}).expect(409);
    expect(refused.body).toMatchObject({ code: 'GO_NO_GO_NOT_GO', decision: 'NO_GO' });
    const operatorRefused = await as('OPERATOR').post(`${base}/advance`).send({}).expect(403);
    expect(operatorRefused.body).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'phases:manage' });
    await as('ANGEL_VIEWER').post(`${base}/advance`).send({}).expect(403);
    await as('SUPER_ADMIN').post(`${base}/advance`).send({ force: true }).expect(400);
  });

  it('advances on GO to Phase 2: enabled, 1 %, allowlist kept, its clock started (audited)', async () => {
    await sign('ZERO_CRITICAL_COMPLAINTS', 'PASS').expect(200);
    await sign('API_LATENCY_P95', 'PASS').expect(200);
    expect((await goNoGo()).decision).toBe('GO');
    const advanced = await as('SUPER_ADMIN').post(`${base}/advance`).send({}).expect(200);
    expect(advanced.body).toMatchObject({
      from: 'phase1_beta',
      to: { name: 'phase2_one_percent' },
      decision: 'GO',
      forced: false,
    });
    expect(advanced.body.to.startedAt).not.toBeNull();
    const flag = await as('ANGEL_VIEWER').get(`/api/admin/feature-flags/${FLAG}`).expect(200);
    expect(flag.body).toMatchObject({ enabled: true, rolloutPercentage: 1, allowlistCount: 10 });
    const phases = await as('ANGEL_VIEWER').get(`${base}/phases`).expect(200);
    expect(phases.body.active).toBe('phase2_one_percent');
    const view = await goNoGo();
    expect(view).toMatchObject({ decision: 'PENDING', nextPhase: 'phase3_five_percent' });
    expect(view.checklist.every((item) => item.signed === null)).toBe(true);
    const event = (await history()).find((e) => e.action === 'phase.advanced');
    expect(event).toMatchObject({
      actor: 'root-admin@flagdog.test',
      before: { phase: 'phase1_beta', decision: 'GO' },
      after: { phase: 'phase2_one_percent' },
    });
  });

  it('overrides a non-GO decision with force and a reason, audited as an override; no next phase → 409', async () => {
    await as('SUPER_ADMIN').post(`${base}/advance`).send({}).expect(409);
    const forced = await as('SUPER_ADMIN')
      .post(`${base}/advance`)
      .send({ force: true, reason: 'incident review signed off by the CTO' })
      .expect(200);
    expect(forced.body).toMatchObject({
      from: 'phase2_one_percent',
      to: { name: 'phase3_five_percent' },
      decision: 'PENDING',
      forced: true,
    });
    const event = (await history()).find((e) => e.action === 'phase.advanced_by_override');
    expect(event).toMatchObject({
      before: { phase: 'phase2_one_percent', decision: 'PENDING' },
      after: { phase: 'phase3_five_percent', overriddenDecision: 'PENDING' },
      reason: 'incident review signed off by the CTO',
    });
    const flag = await as('ANGEL_VIEWER').get(`/api/admin/feature-flags/${FLAG}`).expect(200);
    expect(flag.body).toMatchObject({ enabled: true, rolloutPercentage: 5, allowlistCount: 10 });
    const last = await as('SUPER_ADMIN').post(`${base}/advance`).send({ force: true, reason: 'again' }).expect(409);
    expect(last.body.code).toBe('NO_NEXT_PHASE');
  });
});
