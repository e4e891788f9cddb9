import { newFlag, startTestApp, TestApp } from './support/test-app';
import { ActingAs, actingAs, withToken } from './support/acting-as';

const FLAG = 'passenger_favorites_matching';
const BETA = Array.from({ length: 10 }, (_, i) => `pass_beta_${String(i + 1).padStart(3, '0')}_2026`);

describe('evaluation (REST and OFREP)', () => {
  let t: TestApp;
  let as: ActingAs;
  let admin: string;
  let service: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { FEATURE_KILLED_FLAG: 'Off' } });
    as = await actingAs(t);
    admin = await t.tokenFor('SUPER_ADMIN');
    const token = await as('SUPER_ADMIN')
      .post('/api/admin/service-tokens')
      .send({ name: 'matching-backend' })
      .expect(201);
    service = token.body.token;
    await newFlag(t.http, admin, { key: FLAG, enabled: true, rolloutPercentage: 0 });
    await as('SUPER_ADMIN').post(`/api/admin/feature-flags/${FLAG}/allowlist`).send({ subjectIds: BETA }).expect(200);
  });
  afterAll(() => t.close());

  const evaluate = (key: string, subjectId: string) =>
    t.http.get(`/api/feature-flags/${key}/evaluate`).query({ subjectId }).set('x-api-key', service);

  it('answers Phase 1 as the runbook expects: beta passengers in, everyone else out', async () => {
    const beta = await evaluate(FLAG, 'pass_beta_001_2026').expect(200);
    expect(beta.body).toEqual({
      key: FLAG,
      subjectId: 'pass_beta_001_2026',
      enabled: true,
      reason: 'ALLOWLIST',
      bucket: 8133,
      version: 2,
    });
    const other = await evaluate(FLAG, 'passenger-123').expect(200);
    expect(other.body).toEqual({
      key: FLAG,
      subjectId: 'passenger-123',
      enabled: false,
      reason: 'ROLLOUT_EXCLUDED',
      bucket: 7111,
      version: 2,
    });
  });

  it('reproduces the published buckets over HTTP, any script, and the rollout threshold', async () => {
    await as('SUPER_ADMIN')
      .put(`/api/admin/feature-flags/${FLAG}`)
      .send({ enabled: true, rolloutPercentage: 39.11 })
      .expect(200);
    const vectors: Array<[string, number]> = [
      ['Jørgen', 1208],
      ['山田太郎', 3910],
      ['🚕-rider-7', 6834],
      ['pass_000042_2026', 8229],
    ];
    for (const [subjectId, bucket] of vectors) {
      const { body } = await evaluate(FLAG, subjectId).expect(200);
      expect(body).toMatchObject({
        subjectId,
        bucket,
        enabled: bucket < 3911,
        reason: bucket < 3911 ? 'ROLLOUT' : 'ROLLOUT_EXCLUDED',
      });
    }
    await as('SUPER_ADMIN')
      .put(`/api/admin/feature-flags/${FLAG}`)
      .send({ enabled: true, rolloutPercentage: 0 })
      .expect(200);
  });

  it('sees its own writes at once: disable, archive, unknown', async () => {
    const { key } = await newFlag(t.http, admin, { enabled: true, rolloutPercentage: 100 });
    expect((await evaluate(key, 'anyone').expect(200)).body).toMatchObject({ enabled: true, reason: 'ROLLOUT' });
    await as('SUPER_ADMIN').patch(`/api/admin/feature-flags/${key}`).send({ enabled: false }).expect(200);
    expect((await evaluate(key, 'anyone').expect(200)).body).toMatchObject({
      enabled: false,
      reason: 'DISABLED',
      version: 2,
    });
    await as('SUPER_ADMIN').delete(`/api/admin/feature-flags/${key}`).expect(204);
    expect((await evaluate(key, 'anyone').expect(200)).body).toMatchObject({
      enabled: false,
      reason: 'FLAG_NOT_FOUND',
      bucket: null,
      version: null,
    });
    expect((await evaluate('never_created', 'anyone').expect(200)).body.reason).toBe('FLAG_NOT_FOUND');
  });

  it('lets the master switch win over everything, and shows it on the flag', async () => {
    await newFlag(t.http, admin, { key: 'killed_flag', enabled: true, rolloutPercentage: 100 });
    await as('SUPER_ADMIN')
      .post('/api/admin/feature-flags/killed_flag/allowlist')
      .send({ subjectIds: ['vip'] })
      .expect(200);
    expect((await evaluate('killed_flag', 'vip').expect(200)).body).toMatchObject({
      enabled: false,
      reason: 'MASTER_SWITCH',
    });
    const flag = await as('SUPER_ADMIN').get('/api/admin/feature-flags/killed_flag').expect(200);
    expect(flag.body.masterSwitch).toBe('off');
    const ofrep = await t.http
      .post('/ofrep/v1/evaluate/flags/killed_flag')
      .set('x-api-key', service)
      .send({ context: { targetingKey: 'vip' } })
      .expect(200);
    expect(ofrep.body).toEqual({
      key: 'killed_flag',
      value: false,
      variant: 'off',
      reason: 'DISABLED',
      metadata: { flagdogReason: 'MASTER_SWITCH', version: 2, killSwitch: 'env' },
    });
    const ready = await as('ANGEL_VIEWER').get('/health/ready').expect(200);
    expect(ready.body.details.snapshot).toMatchObject({
      status: 'up',
      masterSwitchesOff: ['killed_flag'],
      stale: false,
    });
  });

  it('evaluates several flags for one subject', async () => {
    const response = await t.http
      .post('/api/feature-flags/evaluate')
      .set('authorization', `Bearer ${service}`)
      .send({ subjectId: 'pass_beta_005_2026', keys: [FLAG, 'never_created'] })
      .expect(200);
    expect(response.body).toEqual({
      subjectId: 'pass_beta_005_2026',
      results: [
        { key: FLAG, enabled: true, reason: 'ALLOWLIST', version: expect.any(Number) },
        { key: 'never_created', enabled: false, reason: 'FLAG_NOT_FOUND', version: null },
      ],
    });
    const all = await t.http
      .post('/api/feature-flags/evaluate')
      .set('x-api-key', service)
      .send({ subjectId: 'x' })
      .expect(200);
    expect(all.body.results.map((result: { key: string }) => result.key)).toContain(FLAG);
  });

  it('answers the bulk route as the single route does for every flag and any subject, before and after a change', async () => {
    const subjects = ['pass_beta_003_2026', 'passenger-77', 'pass "ü" \\ 😀'];
    const agree = async () => {
      for (const subjectId of subjects) {
        const bulk = await t.http
          .post('/api/feature-flags/evaluate')
          .set('x-api-key', service)
          .send({ subjectId })
          .expect(200)
          .expect('content-type', /^application\/json/);
        expect(bulk.body.subjectId).toBe(subjectId);
        expect(bulk.body.results.length).toBeGreaterThan(0);
        for (const result of bulk.body.results) {
          const { key, enabled, reason, version } = (await evaluate(result.key, subjectId).expect(200)).body;
          expect(result).toEqual({ key, enabled, reason, version });
        }
      }
    };
    await agree();
    // A new version of the flag: the bulk answer must not keep the old one's texts.
    const before = (await evaluate(FLAG, 'passenger-77').expect(200)).body;
    const flag = (await as('SUPER_ADMIN').get(`/api/admin/feature-flags/${FLAG}`).expect(200)).body;
    await as('SUPER_ADMIN')
      .put(`/api/admin/feature-flags/${FLAG}`)
      .send({ enabled: true, rolloutPercentage: 100 })
      .expect(200);
    await agree();
    const after = (await evaluate(FLAG, 'passenger-77').expect(200)).body;
    expect([after.version > before.version, after.enabled, after.reason]).toEqual([true, true, 'ROLLOUT']);
    await as('SUPER_ADMIN')
      .put(`/api/admin/feature-flags/${FLAG}`)
      .send({ enabled: flag.enabled, rolloutPercentage: flag.rolloutPercentage })
      .expect(200);
  });

  it('validates the subject and the key', async () => {
    for (const query of ['', '?subjectId=', `?subjectId=${'x'.repeat(129)}`, '?subjectId=a%00b']) {
      const response = await t.http.get(`/api/feature-flags/${FLAG}/evaluate${query}`).set('x-api-key', service);
      expect([query, response.status, response.body.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
    }
    await evaluate('Not-A-Key', 'x').expect(400);
    await t.http
      .post('/api/feature-flags/evaluate')
      .set('x-api-key', service)
      .send({ subjectId: 'x', keys: ['BAD'] })
      .expect(400);
  });

  it('speaks OFREP: reasons, variants, errors', async () => {
    const ofrep = (key: string, body: unknown) =>
      t.http
        .post(`/ofrep/v1/evaluate/flags/${key}`)
        .set('x-api-key', service)
        .send(body as object);
    expect((await ofrep(FLAG, { context: { targetingKey: 'pass_beta_001_2026' } }).expect(200)).body).toEqual({
      key: FLAG,
      value: true,
      variant: 'on',
      reason: 'TARGETING_MATCH',
      metadata: { flagdogReason: 'ALLOWLIST', version: expect.any(Number) },
    });
    expect(
      (await ofrep(FLAG, { context: { targetingKey: 'passenger-123', city: 'Rio' } }).expect(200)).body,
    ).toMatchObject({
      value: false,
      variant: 'off',
      reason: 'SPLIT',
      metadata: { flagdogReason: 'ROLLOUT_EXCLUDED' },
    });
    expect((await ofrep('no_such_flag', { context: { targetingKey: 'p' } }).expect(404)).body).toMatchObject({
      key: 'no_such_flag',
      errorCode: 'FLAG_NOT_FOUND',
    });
    expect((await ofrep(FLAG, { context: {} }).expect(400)).body).toMatchObject({
      key: FLAG,
      errorCode: 'TARGETING_KEY_MISSING',
    });
    expect((await ofrep(FLAG, {}).expect(400)).body.errorCode).toBe('INVALID_CONTEXT');
    expect((await ofrep(FLAG, { context: { targetingKey: { id: 1 } } }).expect(400)).body.errorCode).toBe(
      'INVALID_CONTEXT',
    );
    expect((await ofrep(FLAG, { context: { targetingKey: 'x'.repeat(129) } }).expect(400)).body.errorCode).toBe(
      'INVALID_CONTEXT',
    );
    expect((await ofrep('Not-A-Key', { context: { targetingKey: 'p' } }).expect(404)).body.errorCode).toBe(
      'FLAG_NOT_FOUND',
    );
    await t.http
      .post(`/ofrep/v1/evaluate/flags/${FLAG}`)
      .send({ context: { targetingKey: 'p' } })
      .expect(401);
  });

  it('answers OFREP bulk with a strong ETag and 304 while nothing changed', async () => {
    const bulk = () => t.http.post('/ofrep/v1/evaluate/flags').set('x-api-key', service);
    const first = await bulk()
      .send({ context: { targetingKey: 'pass_beta_001_2026' } })
      .expect(200);
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.body.flags).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: FLAG, value: true, reason: 'TARGETING_MATCH' })]),
    );
    const again = await bulk()
      .set('if-none-match', first.headers.etag)
      .send({ context: { targetingKey: 'pass_beta_001_2026' } });
    expect(again.status).toBe(304);
    await as('SUPER_ADMIN').delete(`/api/admin/feature-flags/${FLAG}/allowlist/pass_beta_001_2026`).expect(204);
    const changed = await bulk()
      .set('if-none-match', first.headers.etag)
      .send({ context: { targetingKey: 'pass_beta_001_2026' } })
      .expect(200);
    expect(changed.headers.etag).not.toBe(first.headers.etag);
    await bulk().send({ context: {} }).expect(400);
  });

  it('lets every role and service tokens evaluate, and nobody anonymous', async () => {
    for (const role of ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER'] as const) {
      await as(role).get(`/api/feature-flags/${FLAG}/evaluate?subjectId=x`).expect(200);
    }
    const key = 'service_token_flag';
    await as('SUPER_ADMIN')
      .post('/api/admin/feature-flags')
      .send({ key, enabled: true, rolloutPercentage: 100 })
      .expect(201);
    const answer = { key, subjectId: 'x', enabled: true, reason: 'ROLLOUT' };
    expect(
      (await t.http.get(`/api/feature-flags/${key}/evaluate?subjectId=x`).set('x-api-key', service).expect(200)).body,
    ).toMatchObject(answer);
    expect(
      (await withToken(t.http, service).get(`/api/feature-flags/${key}/evaluate?subjectId=x`).expect(200)).body,
    ).toMatchObject(answer);
    await t.http.get(`/api/feature-flags/${FLAG}/evaluate?subjectId=x`).set('x-api-key', `${service}x`).expect(401);
    await t.http.get(`/api/feature-flags/${FLAG}/evaluate?subjectId=x`).expect(401);
  });
});
