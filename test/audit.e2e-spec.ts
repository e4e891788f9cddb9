import { ActingAs, actingAs } from './support/acting-as';
import { ADMIN_EMAIL, newFlag, startTestApp, TestApp } from './support/test-app';

type AuditEvent = {
  id: string;
  at: string;
  actor: string;
  action: string;
  featureKey: string | null;
  reason: string | null;
};

/** GET /api/admin/audit: the whole audit log for super admins, filtered and paged. */
describe('GET /api/admin/audit', () => {
  let t: TestApp;
  let as: ActingAs;
  let admin: string;
  let first: string;
  let second: string;
  let startedAt: string;
  let tokenId: string;

  beforeAll(async () => {
    t = await startTestApp();
    as = await actingAs(t);
    admin = await t.tokenFor('SUPER_ADMIN');
    startedAt = new Date().toISOString();
    first = (await newFlag(t.http, admin, { key: 'audit_first_flag', enabled: false, rolloutPercentage: 0 })).key;
    second = (await newFlag(t.http, admin, { key: 'audit_second_flag', enabled: false, rolloutPercentage: 0 })).key;
    await as('SUPER_ADMIN')
      .patch(`/api/admin/feature-flags/${first}`)
      .send({ rolloutPercentage: 5, reason: 'widen a little' })
      .expect(200);
    // An operator narrows exposure: the audit names the operator.
    await as('OPERATOR')
      .put(`/api/admin/feature-flags/${first}`)
      .send({ enabled: false, rolloutPercentage: 0 })
      .expect(200);
    const token = await as('SUPER_ADMIN').post('/api/admin/service-tokens').send({ name: 'audit-matcher' }).expect(201);
    tokenId = token.body.id;
    await as('SUPER_ADMIN').delete(`/api/admin/service-tokens/${tokenId}`).expect(204);
  });
  afterAll(() => t.close());

  const audit = (query: Record<string, string | number> = {}) => as('SUPER_ADMIN').get('/api/admin/audit').query(query);

  it('lists events of every kind, newest first: flags, users and service tokens', async () => {
    const { items } = (await audit({ limit: 500 }).expect(200)).body as { items: AuditEvent[] };
    const actions = items.map((event) => event.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'user.bootstrapped',
        'user.created',
        'flag.created',
        'flag.updated',
        'service_token.created',
        'service_token.revoked',
      ]),
    );
    const ids = items.map((event) => BigInt(event.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(items[0].action).toBe('service_token.revoked');
  });

  it('filters by action, actor, flag and time, all together', async () => {
    const revoked = (await audit({ action: 'service_token.revoked' }).expect(200)).body.items as AuditEvent[];
    expect(revoked).toHaveLength(1);
    expect(revoked[0].actor).toBe(ADMIN_EMAIL);

    const byOperator = (await audit({ action: 'flag.updated', featureKey: first }).expect(200)).body
      .items as AuditEvent[];
    expect(byOperator.map((event) => event.reason)).toEqual([null, 'widen a little']);
    const operatorName = byOperator[0].actor;
    expect(operatorName).not.toBe(ADMIN_EMAIL);
    const onlyOperator = (await audit({ actor: operatorName }).expect(200)).body.items as AuditEvent[];
    expect(onlyOperator.map((event) => [event.action, event.featureKey])).toEqual([['flag.updated', first]]);

    const ofSecond = (await audit({ featureKey: second }).expect(200)).body.items as AuditEvent[];
    expect(ofSecond.map((event) => event.action)).toEqual(['flag.created']);

    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await audit({ since: future }).expect(200)).body.items).toEqual([]);
    const window = (await audit({ since: startedAt, until: future, featureKey: first }).expect(200)).body
      .items as AuditEvent[];
    expect(window.map((event) => event.action)).toEqual(['flag.updated', 'flag.updated', 'flag.created']);
    const beforeStart = (await audit({ until: startedAt, action: 'flag.created' }).expect(200)).body
      .items as AuditEvent[];
    expect(beforeStart).toEqual([]);
  });

  it('pages with limit and cursor, without gaps or repeats', async () => {
    const all = ((await audit({ limit: 500 }).expect(200)).body.items as AuditEvent[]).map((event) => event.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string | number> = cursor === null ? { limit: 2 } : { limit: 2, cursor };
      const body = (await audit(query).expect(200)).body as { items: AuditEvent[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((event) => event.id));
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(all);
  });

  it('is for super admins only', async () => {
    for (const role of ['OPERATOR', 'ANGEL_VIEWER'] as const) {
      const response = await as(role).get('/api/admin/audit').expect(403);
      expect(response.body.code).toBe('PERMISSION_DENIED');
    }
    await t.http.get('/api/admin/audit').expect(401);
  });

  it('answers bad filters with 400 problem+json', async () => {
    const bad: Array<Record<string, string>> = [
      { since: 'yesterday' },
      { since: '2026-01-01T00:00:00+99:00' },
      { until: '2026-13-45T00:00:00Z' },
      { featureKey: 'Not A Key' },
      { action: 'DROP TABLE' },
      { cursor: Buffer.from(JSON.stringify('1; DROP')).toString('base64url') },
      { cursor: Buffer.from(JSON.stringify('99999999999999999999999')).toString('base64url') },
      { limit: '0' },
      { unknown: 'x' },
    ];
    for (const query of bad) {
      const response = await audit(query);
      expect([query, response.status]).toEqual([query, 400]);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});
