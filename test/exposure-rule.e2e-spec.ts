import { newFlag, startTestApp, TestApp } from './support/test-app';

/** Operators act on exposure only, and only to reduce it, whatever the flag's state is now. */
describe('exposure rule for operators', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.tokenFor('SUPER_ADMIN');
    operator = await t.tokenFor('OPERATOR');
  });
  afterAll(() => t.close());

  const flagOf = async (key: string) =>
    (await t.http.get(`/api/admin/feature-flags/${key}`).auth(admin, { type: 'bearer' }).expect(200)).body;

  it('refuses raising the rollout of a disabled flag, so a later enable cannot expose more', async () => {
    const { key } = await newFlag(t.http, admin, { enabled: false, rolloutPercentage: 5 });
    const response = await t.http
      .patch(`/api/admin/feature-flags/${key}`)
      .auth(operator, { type: 'bearer' })
      .send({ rolloutPercentage: 100 });
    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await flagOf(key)).toMatchObject({ enabled: false, rolloutPercentage: 5, version: 1 });

    const put = await t.http
      .put(`/api/admin/feature-flags/${key}`)
      .auth(operator, { type: 'bearer' })
      .send({ enabled: false, rolloutPercentage: 50 });
    expect(put.status).toBe(403);
    expect((await flagOf(key)).rolloutPercentage).toBe(5);
  });

  it('refuses a description change by an operator', async () => {
    const { key } = await newFlag(t.http, admin, { enabled: true, rolloutPercentage: 5, description: 'matching v2' });
    const response = await t.http
      .patch(`/api/admin/feature-flags/${key}`)
      .auth(operator, { type: 'bearer' })
      .send({ description: 'harmless?' });
    expect(response.status).toBe(403);
    expect((await flagOf(key)).description).toBe('matching v2');
  });

  it('refuses adding subjects and enabling, but still lets an operator roll back (Level 1)', async () => {
    const { key } = await newFlag(t.http, admin, { enabled: true, rolloutPercentage: 5 });
    await t.http
      .post(`/api/admin/feature-flags/${key}/allowlist`)
      .auth(operator, { type: 'bearer' })
      .send({ subjectIds: ['pass_1'] })
      .expect(403);
    await t.http
      .put(`/api/admin/feature-flags/${key}`)
      .auth(operator, { type: 'bearer' })
      .send({ enabled: false, rolloutPercentage: 0 })
      .expect(200);
    await t.http
      .patch(`/api/admin/feature-flags/${key}`)
      .auth(operator, { type: 'bearer' })
      .send({ enabled: true })
      .expect(403);
    expect(await flagOf(key)).toMatchObject({ enabled: false, rolloutPercentage: 0, allowlistCount: 0 });
  });

  it('lets a super admin widen exposure', async () => {
    const { key } = await newFlag(t.http, admin, { enabled: false, rolloutPercentage: 0 });
    await t.http
      .patch(`/api/admin/feature-flags/${key}`)
      .auth(admin, { type: 'bearer' })
      .send({ rolloutPercentage: 100, description: 'ready' })
      .expect(200);
    expect(await flagOf(key)).toMatchObject({ enabled: false, rolloutPercentage: 100, description: 'ready' });
  });
});
