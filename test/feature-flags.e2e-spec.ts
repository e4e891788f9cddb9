import { newFlag, startTestApp, TestApp } from './support/test-app';

describe('feature flags (admin API)', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp();
    [admin, operator, viewer] = await Promise.all([
      t.tokenFor('SUPER_ADMIN'),
      t.tokenFor('OPERATOR'),
      t.tokenFor('ANGEL_VIEWER'),
    ]);
  });
  afterAll(() => t.close());

  it('creates a flag with safe defaults and reads it back with an ETag', async () => {
    const created = await t.http
      .post('/api/admin/feature-flags')
      .auth(admin, { type: 'bearer' })
      .send({ key: 'passenger_favorites_matching', description: 'Favorites matching' })
      .expect(201);
    expect(created.body).toMatchObject({
      key: 'passenger_favorites_matching',
      description: 'Favorites matching',
      enabled: false,
      rolloutPercentage: 0,
      allowlistCount: 0,
      version: 1,
      masterSwitch: null,
      updatedBy: 'root-admin@flagdog.test',
    });
    const read = await t.http
      .get('/api/admin/feature-flags/passenger_favorites_matching')
      .auth(viewer, { type: 'bearer' })
      .expect(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.body.key).toBe('passenger_favorites_matching');
  });

  it('answers 409 FLAG_EXISTS for a key that exists', async () => {
    const { key } = await newFlag(t.http, admin);
    const response = await t.http
      .post('/api/admin/feature-flags')
      .auth(admin, { type: 'bearer' })
      .send({ key })
      .expect(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('FLAG_EXISTS');
  });

  it("lets an OPERATOR run the runbook's Level 1 PUT, and not enable or raise", async () => {
    const { key } = await newFlag(t.http, admin, { enabled: true, rolloutPercentage: 5 });
    const raise = await t.http
      .put(`/api/admin/feature-flags/${key}`)
      .auth(operator, { type: 'bearer' })
      .send({ enabled: true, rolloutPercentage: 10 })
      .expect(403);
    expect(raise.body).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'flags:expand-exposure' });

    const level1 = await t.http
      .put(`/api/admin/feature-flags/${key}`)
      .auth(operator, { type: 'bearer' })
      .set('content-type', 'application/json')
      .send('{"enabled":false,"rolloutPercentage":0}')
      .expect(200);
    expect(level1.body).toMatchObject({ enabled: false, rolloutPercentage: 0, version: 2 });

    const enable = await t.http
      .patch(`/api/admin/feature-flags/${key}`)
      .auth(operator, { type: 'bearer' })
      .send({ enabled: true })
      .expect(403);
    expect(enable.body.permission).toBe('flags:expand-exposure');

    const history = await t.http
      .get(`/api/admin/feature-flags/${key}/history`)
      .auth(viewer, { type: 'bearer' })
      .expect(200);
    expect(history.body.items.map((event: { action: string }) => event.action)).toEqual([
      'flag.updated',
      'flag.created',
    ]);
    expect(history.body.items[0]).toMatchObject({
      actorRole: 'OPERATOR',
      before: { enabled: true, rolloutPercentage: 5 },
      after: { enabled: false, rolloutPercentage: 0 },
    });
  });

  it('stores percentages with two decimals and refuses a third', async () => {
    const { key } = await newFlag(t.http, admin);
    const ok = await t.http
      .patch(`/api/admin/feature-flags/${key}`)
      .auth(admin, { type: 'bearer' })
      .send({ enabled: true, rolloutPercentage: 5.25 })
      .expect(200);
    expect(ok.body.rolloutPercentage).toBe(5.25);
    for (const bad of [5.255, -1, 100.01, '5', null]) {
      const response = await t.http
        .patch(`/api/admin/feature-flags/${key}`)
        .auth(admin, { type: 'bearer' })
        .send({ rolloutPercentage: bad })
        .expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors[0].field).toBe('rolloutPercentage');
    }
    const after = await t.http.get(`/api/admin/feature-flags/${key}`).auth(admin, { type: 'bearer' }).expect(200);
    expect(after.body).toMatchObject({ rolloutPercentage: 5.25, version: 2 });
  });

  it('says in one message per field what is wrong: required, a number, the range, at most 2 decimals', async () => {
    const { key } = await newFlag(t.http, admin);
    const errorsOf = async (body: object) => {
      const response = await t.http
        .put(`/api/admin/feature-flags/${key}`)
        .auth(admin, { type: 'bearer' })
        .send(body)
        .expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      return response.body.errors;
    };
    expect(await errorsOf({ enabled: true })).toEqual([
      { field: 'rolloutPercentage', message: 'rolloutPercentage is required' },
    ]);
    expect(await errorsOf({ enabled: true, rolloutPercentage: 0.001 })).toEqual([
      { field: 'rolloutPercentage', message: 'rolloutPercentage must have at most 2 decimals (steps of 0.01)' },
    ]);
    expect(await errorsOf({ enabled: true, rolloutPercentage: 150 })).toEqual([
      { field: 'rolloutPercentage', message: 'rolloutPercentage must be from 0 to 100' },
    ]);
    expect(await errorsOf({ enabled: true, rolloutPercentage: '5' })).toEqual([
      { field: 'rolloutPercentage', message: 'rolloutPercentage must be a number from 0 to 100' },
    ]);
    expect(await errorsOf({})).toEqual([
      { field: 'enabled', message: 'enabled is required' },
      { field: 'rolloutPercentage', message: 'rolloutPercentage is required' },
    ]);
    const created = await t.http.post('/api/admin/feature-flags').auth(admin, { type: 'bearer' }).send({}).expect(400);
    expect(created.body.errors).toEqual([{ field: 'key', message: 'key is required' }]);
  });

  it('refuses a stale If-Match with 412 VERSION_CONFLICT and changes nothing', async () => {
    const { key } = await newFlag(t.http, admin);
    await t.http
      .patch(`/api/admin/feature-flags/${key}`)
      .auth(admin, { type: 'bearer' })
      .set('if-match', '"1"')
      .send({ description: 'one' })
      .expect(200);
    const stale = await t.http
      .patch(`/api/admin/feature-flags/${key}`)
      .auth(admin, { type: 'bearer' })
      .set('if-match', '"1"')
      .send({ description: 'two' })
      .expect(412);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    const read = await t.http.get(`/api/admin/feature-flags/${key}`).auth(admin, { type: 'bearer' }).expect(200);
    expect(read.body).toMatchObject({ description: 'one', version: 2 });
  });

  it('loses no update when 20 patches race', async () => {
    const { key } = await newFlag(t.http, admin, { enabled: true });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.http
          .patch(`/api/admin/feature-flags/${key}`)
          .auth(admin, { type: 'bearer' })
          .send({ description: `writer ${i}` })
          .expect(200),
      ),
    );
    const read = await t.http.get(`/api/admin/feature-flags/${key}`).auth(admin, { type: 'bearer' }).expect(200);
    expect(read.body.version).toBe(21);
    const history = await t.http
      .get(`/api/admin/feature-flags/${key}/history?limit=500`)
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(history.body.items).toHaveLength(21);
  });

  it('archives a flag: it leaves the list, answers 404, keeps its history', async () => {
    const { key } = await newFlag(t.http, admin);
    await t.http
      .delete(`/api/admin/feature-flags/${key}?reason=cleanup`)
      .auth(operator, { type: 'bearer' })
      .expect(403);
    await t.http.delete(`/api/admin/feature-flags/${key}?reason=cleanup`).auth(admin, { type: 'bearer' }).expect(204);
    const missing = await t.http.get(`/api/admin/feature-flags/${key}`).auth(admin, { type: 'bearer' }).expect(404);
    expect(missing.body.code).toBe('FLAG_NOT_FOUND');
    const list = await t.http.get('/api/admin/feature-flags').auth(admin, { type: 'bearer' }).expect(200);
    expect(list.body.items.map((flag: { key: string }) => flag.key)).not.toContain(key);
    const history = await t.http
      .get(`/api/admin/feature-flags/${key}/history`)
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(history.body.items[0]).toMatchObject({ action: 'flag.archived', reason: 'cleanup' });
  });

  it('refuses unknown fields and malformed keys without writing', async () => {
    const unknown = await t.http
      .post('/api/admin/feature-flags')
      .auth(admin, { type: 'bearer' })
      .send({ key: 'sneaky_flag', enabled: false, owner: 'me' })
      .expect(400);
    expect(unknown.body.errors).toEqual([{ field: 'owner', message: 'property owner should not exist' }]);
    await t.http.get('/api/admin/feature-flags/sneaky_flag').auth(admin, { type: 'bearer' }).expect(404);
    const badKey = await t.http
      .post('/api/admin/feature-flags')
      .auth(admin, { type: 'bearer' })
      .send({ key: 'Bad-Key' })
      .expect(400);
    expect(badKey.body.errors[0].field).toBe('key');
    await t.http.get('/api/admin/feature-flags/Bad-Key').auth(admin, { type: 'bearer' }).expect(400);
  });
});
