import { EvaluationSummary } from 'src/feature-flags/evaluation-summary';
import { ADMIN_EMAIL, ADMIN_PASSWORD, newFlag, startTestApp, TestApp } from './support/test-app';

describe('HTTP edge: problem+json, limits, request ids, logs', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.tokenFor('SUPER_ADMIN');
  });
  afterAll(() => t.close());

  const problemOf = (response: { status: number; headers: Record<string, string>; body: Record<string, unknown> }) => {
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual(
      expect.objectContaining({
        type: expect.any(String),
        title: expect.any(String),
        status: response.status,
        detail: expect.any(String),
        code: expect.any(String),
      }),
    );
    expect(JSON.stringify(response.body)).not.toMatch(/at \S+ \(|node_modules|SELECT|INSERT|QueryFailedError/);
    return response.body;
  };

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const response = await t.http
      .post('/api/admin/feature-flags')
      .auth(admin, { type: 'bearer' })
      .set('content-type', 'application/json')
      .send('{"key": "half_a_flag",');
    expect(response.status).toBe(400);
    expect(problemOf(response).code).toBe('MALFORMED_JSON');
  });

  it('answers a body over 1 MiB with 413 and writes nothing', async () => {
    const response = await t.http
      .post('/api/admin/feature-flags')
      .auth(admin, { type: 'bearer' })
      .set('content-type', 'application/json')
      .send(JSON.stringify({ key: 'too_big_flag', description: 'x'.repeat(1024 * 1024) }));
    expect(response.status).toBe(413);
    expect(problemOf(response).code).toBe('PAYLOAD_TOO_LARGE');
    await t.http.get('/api/admin/feature-flags/too_big_flag').auth(admin, { type: 'bearer' }).expect(404);
  });

  it('answers bodies that are not JSON objects with 400', async () => {
    for (const body of ['[1,2]', '"text"', '42', 'null']) {
      const response = await t.http
        .post('/api/admin/feature-flags')
        .auth(admin, { type: 'bearer' })
        .set('content-type', 'application/json')
        .send(body);
      expect([body, response.status]).toEqual([body, 400]);
      problemOf(response);
    }
  });

  it('answers other content types with 415', async () => {
    const response = await t.http
      .post('/api/admin/feature-flags')
      .auth(admin, { type: 'bearer' })
      .set('content-type', 'application/xml')
      .send('<flag/>');
    expect(response.status).toBe(415);
    expect(problemOf(response).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a body sent without Content-Type: application/json with one 415 that names the header', async () => {
    const url = `${t.http.get('/').url.replace(/\/$/, '')}/api/admin/feature-flags`;
    // fetch with a byte body sends no Content-Type at all.
    const bare = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
      body: Buffer.from('{"key":"bare_body_flag"}'),
    });
    expect(bare.status).toBe(415);
    expect(bare.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await bare.json()).toMatchObject({
      code: 'CONTENT_TYPE_MISSING',
      detail: expect.stringContaining('Content-Type: application/json'),
    });
    // What `curl -d '{…}'` and a string body in fetch send.
    for (const contentType of ['application/x-www-form-urlencoded', 'text/plain;charset=UTF-8']) {
      const response = await t.http
        .post('/api/admin/feature-flags')
        .auth(admin, { type: 'bearer' })
        .set('content-type', contentType)
        .send('{"key":"form_body_flag"}');
      expect([contentType, response.status]).toEqual([contentType, 415]);
      const body = problemOf(response);
      expect(body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', contentType: contentType.split(';')[0] });
      expect(body.detail).toContain('Content-Type: application/json');
      expect(body.errors).toBeUndefined();
    }
    await t.http.get('/api/admin/feature-flags/bare_body_flag').auth(admin, { type: 'bearer' }).expect(404);
    await t.http.get('/api/admin/feature-flags/form_body_flag').auth(admin, { type: 'bearer' }).expect(404);
    // JSON with a charset, or a +json type, is JSON.
    await t.http
      .post('/api/admin/feature-flags')
      .auth(admin, { type: 'bearer' })
      .set('content-type', 'application/json; charset=utf-8')
      .send('{"key":"charset_json_flag"}')
      .expect(201);
  });

  it('answers unknown routes and methods with 404 problem+json', async () => {
    const response = await t.http.get('/api/admin/nothing-here').auth(admin, { type: 'bearer' });
    expect(response.status).toBe(404);
    expect(problemOf(response).code).toBe('NOT_FOUND');
    const wrongMethod = await t.http.put('/api/admin/feature-flags').auth(admin, { type: 'bearer' }).send({});
    expect(wrongMethod.status).toBe(404);
    problemOf(wrongMethod);
  });

  it('answers a malformed URL and missing credentials in problem+json too', async () => {
    const badUrl = await t.http.get('/api/admin/feature-flags/x/allowlist/%E0%A4%A').auth(admin, { type: 'bearer' });
    expect(badUrl.status).toBe(400);
    problemOf(badUrl);
    const anonymous = await t.http.get('/api/admin/feature-flags');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="flagdog"');
  });

  it('keeps hostile input out of SQL and out of error bodies', async () => {
    const injection = await t.http
      .get(`/api/admin/feature-flags/${encodeURIComponent("x'; DROP TABLE feature_flags; --")}`)
      .auth(admin, { type: 'bearer' });
    expect(injection.status).toBe(400);
    problemOf(injection);
    const badCursor = await t.http.get('/api/admin/users?cursor=%%%').auth(admin, { type: 'bearer' });
    expect(badCursor.status).toBe(400);
    const badLimit = await t.http.get('/api/admin/users?limit=100000').auth(admin, { type: 'bearer' });
    expect(problemOf(badLimit).code).toBe('VALIDATION_FAILED');
    await t.http.get('/api/admin/feature-flags').auth(admin, { type: 'bearer' }).expect(200);
  });

  it('returns the caller X-Request-Id, or a generated one, in the header and in problems', async () => {
    const given = await t.http
      .get('/api/admin/feature-flags/unknown_flag')
      .auth(admin, { type: 'bearer' })
      .set('x-request-id', 'req-abc.123');
    expect(given.headers['x-request-id']).toBe('req-abc.123');
    expect(given.body.requestId).toBe('req-abc.123');
    // Generated: 96 random bits, a fresh id per request.
    const generated = await t.http.get('/health/live');
    expect(generated.headers['x-request-id']).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const hostile = await t.http.get('/health/live').set('x-request-id', 'evil id <script>');
    expect(hostile.headers['x-request-id']).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const ids = new Set<string>();
    for (let i = 0; i < 600; i++) ids.add((await t.http.get('/health/live')).headers['x-request-id']);
    expect(ids.size).toBe(600);
  });

  it('puts feature_key on request log lines about a flag', async () => {
    await t.http.get('/api/admin/feature-flags/logged_flag').auth(admin, { type: 'bearer' }).expect(404);
    const line = t.logs
      .text()
      .split('\n')
      .find((entry) => entry.includes('/api/admin/feature-flags/logged_flag') && entry.includes('"res"'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ feature_key: 'logged_flag', res: { statusCode: 404 } });
  });

  it('never writes passwords, tokens, cookies or API keys to the log', async () => {
    const login = await t.http
      .post('/api/auth/login')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
      .expect(200);
    const accessToken: string = login.body.accessToken;
    const created = await t.http
      .post('/api/admin/service-tokens')
      .auth(accessToken, { type: 'bearer' })
      .set('cookie', 'session=cookie-secret-value')
      .send({ name: 'log-probe' })
      .expect(201);
    const serviceToken: string = created.body.token;
    await t.http.get('/api/auth/me').set('x-api-key', serviceToken).expect(200);
    await t.http.post('/api/auth/login').send({ email: ADMIN_EMAIL, password: 'wrong-password-typed' }).expect(401);
    await t.http.get('/api/admin/feature-flags').set('authorization', 'Bearer not.a.jwt-secret-ish').expect(401);
    const log = t.logs.text();
    expect(log).toContain('/api/admin/service-tokens');
    for (const secret of [
      ADMIN_PASSWORD,
      'wrong-password-typed',
      accessToken,
      serviceToken,
      'cookie-secret-value',
      'not.a.jwt-secret-ish',
    ]) {
      expect(log.includes(secret) ? secret : 'absent').toBe('absent');
    }
  });

  it('keeps credentials sent as query parameters out of request log lines', async () => {
    await t.http
      .get('/api/admin/feature-flags?access_token=query-secret-1&token=query-secret-2&limit=5')
      .auth(admin, { type: 'bearer' });
    await t.http.get('/api/admin/users?password=query-secret-3&Secret=query-secret-4');
    const lines = t.logs.lines.filter((line) => line.includes('"res"'));
    const listing = lines.find((line) => line.includes('/api/admin/feature-flags?'));
    expect(JSON.parse(listing ?? '{}').req.url).toBe(
      '/api/admin/feature-flags?access_token=[redacted]&token=[redacted]&limit=5',
    );
    const users = lines.find((line) => line.includes('/api/admin/users?password'));
    expect(JSON.parse(users ?? '{}').req.url).toBe('/api/admin/users?password=[redacted]&Secret=[redacted]');
    expect(t.logs.text()).not.toMatch(/query-secret/);
  });

  it('writes no line per evaluation, but one summary line per flag and minute', async () => {
    const flag = await newFlag(t.http, admin, { enabled: true, rolloutPercentage: 100 });
    const service = await t.http
      .post('/api/admin/service-tokens')
      .auth(admin, { type: 'bearer' })
      .send({ name: 'log-volume-probe' })
      .expect(201);
    t.app.get(EvaluationSummary).flush();
    for (const subjectId of ['s1', 's2', 's3']) {
      await t.http
        .get(`/api/feature-flags/${flag.key}/evaluate`)
        .query({ subjectId })
        .set('x-api-key', service.body.token)
        .expect(200);
    }
    await t.http
      .post(`/ofrep/v1/evaluate/flags/${flag.key}`)
      .set('x-api-key', service.body.token)
      .send({ context: { targetingKey: 's4' } })
      .expect(200);
    await t.http.get(`/api/admin/feature-flags/${flag.key}`).auth(admin, { type: 'bearer' }).expect(200);
    const requestLines = t.logs.lines.filter((line) => line.includes(flag.key) && line.includes('"res"'));
    expect(requestLines.map((line) => JSON.parse(line).req.url)).toEqual([`/api/admin/feature-flags/${flag.key}`]);

    t.app.get(EvaluationSummary).flush();
    const summary = t.logs.lines
      .map((line) => JSON.parse(line))
      .find((line) => line.msg === 'evaluations' && line.feature_key === flag.key);
    expect(summary).toMatchObject({ level: 30, total: 4, reasons: { ROLLOUT: 4 } });
  });
});
