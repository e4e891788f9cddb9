import { BETA, FLAG, setUpPhase1 } from './support/runbook';
import { startTestApp, TestApp } from './support/test-app';
import { ActingAs, actingAs } from './support/acting-as';

describe('Level 1 rollback, verified (runbook §4)', () => {
  let t: TestApp;
  let as: ActingAs;
  let admin: string;
  let service: string;

  beforeAll(async () => {
    t = await startTestApp();
    as = await actingAs(t);
    admin = await t.tokenFor('SUPER_ADMIN');
    service = (await as('SUPER_ADMIN').post('/api/admin/service-tokens').send({ name: 'matcher' })).body.token;
    await setUpPhase1(t.http, admin);
  });
  afterAll(() => t.close());

  const evaluate = (subjectId: string) =>
    t.http.get(`/api/feature-flags/${FLAG}/evaluate`).query({ subjectId }).set('x-api-key', service);

  it('lets an OPERATOR clear the allowlist (option B) and shows the probes now answer OFF', async () => {
    const response = await as('OPERATOR')
      .post(`/api/admin/beta-monitor/${FLAG}/rollback`)
      .send({ level: 1, mode: 'clear_allowlist', reason: 'critical complaint confirmed' })
      .expect(200);
    expect(response.body).toMatchObject({
      level: 1,
      mode: 'clear_allowlist',
      effective: true,
      flag: { enabled: true, allowlistCount: 0 },
      probes: [
        { subjectId: 'pass_beta_001_2026', enabled: false, reason: 'ROLLOUT_EXCLUDED' },
        { subjectId: 'pass_beta_005_2026', enabled: false, reason: 'ROLLOUT_EXCLUDED' },
      ],
    });
    expect(response.body.snapshotRevision).toBeGreaterThan(0);
    expect((await evaluate(BETA[0]).expect(200)).body.reason).toBe('ROLLOUT_EXCLUDED');
    await as('SUPER_ADMIN').post(`/api/admin/feature-flags/${FLAG}/allowlist`).send({ subjectIds: BETA }).expect(200);
  });

  it('lets an OPERATOR disable the flag (option A), verified and audited', async () => {
    const response = await as('OPERATOR')
      .post(`/api/admin/beta-monitor/${FLAG}/rollback`)
      .send({ level: 1, mode: 'disable', reason: '5xx spike' })
      .expect(200);
    expect(response.body).toMatchObject({ effective: true, flag: { enabled: false, rolloutPercentage: 0 } });
    expect(response.body.probes.every((probe: { reason: string }) => probe.reason === 'DISABLED')).toBe(true);
    expect((await evaluate(BETA[4]).expect(200)).body.reason).toBe('DISABLED');
    const history = await as('OPERATOR').get(`/api/admin/feature-flags/${FLAG}/history`).expect(200);
    expect(history.body.items[0]).toMatchObject({
      action: 'rollback.level1',
      actorRole: 'OPERATOR',
      reason: '5xx spike',
    });
    expect(history.body.items[1]).toMatchObject({ action: 'flag.updated', after: { enabled: false } });
  });

  it('refuses ANGEL_VIEWER, other levels and missing reasons', async () => {
    await as('ANGEL_VIEWER')
      .post(`/api/admin/beta-monitor/${FLAG}/rollback`)
      .send({ level: 1, mode: 'disable', reason: 'x' })
      .expect(403);
    const level2 = await as('OPERATOR')
      .post(`/api/admin/beta-monitor/${FLAG}/rollback`)
      .send({ level: 2, mode: 'disable', reason: 'x' })
      .expect(400);
    expect(level2.body.errors[0].message).toContain('FEATURE_<KEY>');
    await as('OPERATOR')
      .post(`/api/admin/beta-monitor/${FLAG}/rollback`)
      .send({ level: 1, mode: 'disable' })
      .expect(400);
    await as('OPERATOR')
      .post('/api/admin/beta-monitor/no_such_flag/rollback')
      .send({ level: 1, mode: 'disable', reason: 'x' })
      .expect(404);
  });
});
