import { newFlag, startTestApp, TestApp } from './support/test-app';

const problemJson = /^application\/problem\+json/;

/** Inputs that once answered 500, hung a runbook call, or slipped through as look-alikes. */
describe('hostile and habitual inputs', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.tokenFor('SUPER_ADMIN');
    operator = await t.tokenFor('OPERATOR');
    key = (await newFlag(t.http, admin, { enabled: true, rolloutPercentage: 0 })).key;
  });
  afterAll(() => t.close());

  it('accepts DELETE …/allowlist with Content-Type: application/json and no body (runbook Level 1, option B)', async () => {
    await t.http
      .post(`/api/admin/feature-flags/${key}/allowlist`)
      .auth(admin, { type: 'bearer' })
      .send({ subjectIds: ['pass_1'] })
      .expect(200);
    const response = await t.http
      .delete(`/api/admin/feature-flags/${key}/allowlist`)
      .auth(operator, { type: 'bearer' })
      .set('Content-Type', 'application/json');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ removed: 1, count: 0 });
  });

  it.each(['pass\u202e1', 'pass\u200b1', '\ufeffpass1'])(
    'refuses the invisible format character in %j',
    async (subjectId) => {
      const response = await t.http
        .post(`/api/admin/feature-flags/${key}/allowlist`)
        .auth(admin, { type: 'bearer' })
        .send({ subjectIds: [subjectId] });
      expect(response.status).toBe(400);
      expect(response.body.detail + JSON.stringify(response.body.errors ?? '')).toMatch(/format characters/);
      const evaluated = await t.http
        .get(`/api/feature-flags/${key}/evaluate`)
        .query({ subjectId })
        .auth(admin, { type: 'bearer' });
      expect(evaluated.status).toBe(400);
    },
  );

  it('answers 400 for a malformed %-encoding in ?subjectId= instead of evaluating the raw text', async () => {
    const response = await t.http
      .get(`/api/feature-flags/${key}/evaluate?subjectId=pass%E0%A4%A_1`)
      .auth(admin, { type: 'bearer' });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(problemJson);
    const fine = await t.http
      .get(`/api/feature-flags/${key}/evaluate?subjectId=50%25off`)
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(fine.body.subjectId).toBe('50%off');
  });

  it('never logs a credential sent in the query string', async () => {
    await t.http.get(`/api/auth/me?access_token=${admin}&password=hunter2hunter2`);
    const logs = t.logs.text();
    expect(logs).toContain('access_token=[redacted]');
    expect(logs).not.toContain(admin);
    expect(logs).not.toContain('hunter2hunter2');
  });

  it('matches an email in one normalised form, so the login throttle and the lookup agree (U+0130)', async () => {
    const password = 'ilker-password-long-enough';
    await t.http
      .post('/api/admin/users')
      .auth(admin, { type: 'bearer' })
      .send({ email: 'ilker@flagdog.test', password, role: 'OPERATOR' })
      .expect(201);
    await t.http.post('/api/auth/login').send({ email: ' ILKER@flagdog.test', password }).expect(200);
    // The throttle counts `i̇lker@…` (JavaScript's folding of İ); PostgreSQL's lower() would have found `ilker@…`.
    const dotted = await t.http.post('/api/auth/login').send({ email: '\u0130LKER@flagdog.test', password });
    expect(dotted.status).toBe(401);
  });

  describe('inputs that answered 500', () => {
    const expect400 = (response: { status: number; headers: Record<string, string> }) => {
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(problemJson);
    };

    it('JSON arrays nested 5,000 deep', async () => {
      const body = `{"subjectIds":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      expect400(
        await t.http
          .post(`/api/admin/feature-flags/${key}/allowlist`)
          .auth(admin, { type: 'bearer' })
          .set('Content-Type', 'application/json')
          .send(body),
      );
    });

    it.each([1e-7, 5e-324])('rolloutPercentage %d', async (rolloutPercentage) => {
      expect400(
        await t.http
          .patch(`/api/admin/feature-flags/${key}`)
          .auth(admin, { type: 'bearer' })
          .send({ rolloutPercentage }),
      );
    });

    it('an email with a lone surrogate', async () => {
      const body = '{"email":"a\\ud800@flagdog.test","password":"long enough password"}';
      const login = await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send(body);
      expect(login.status).toBeGreaterThanOrEqual(400);
      expect(login.status).toBeLessThan(500);
      const create = await t.http
        .post('/api/admin/users')
        .auth(admin, { type: 'bearer' })
        .set('Content-Type', 'application/json')
        .send('{"email":"a\\ud800@flagdog.test","password":"long enough password","role":"OPERATOR"}');
      expect400(create);
    });

    it('a history cursor decoding to an out-of-range integer', async () => {
      const cursor = Buffer.from('1e300').toString('base64url');
      expect400(
        await t.http.get(`/api/admin/feature-flags/${key}/history`).query({ cursor }).auth(admin, { type: 'bearer' }),
      );
      const big = Buffer.from('99999999999999999999').toString('base64url');
      expect400(
        await t.http
          .get(`/api/admin/feature-flags/${key}/history`)
          .query({ cursor: big })
          .auth(admin, { type: 'bearer' }),
      );
    });

    it('since with a +99:00 offset', async () => {
      expect400(
        await t.http
          .get(`/api/admin/beta-monitor/${key}/checkpoints`)
          .query({ since: '2026-01-01T00:00:00+99:00' })
          .auth(admin, { type: 'bearer' }),
      );
    });
  });
});
