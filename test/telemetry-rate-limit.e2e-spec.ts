import { telemetryToken } from './support/telemetry';
import { newFlag, startTestApp, TestApp } from './support/test-app';
import { DataSource } from 'typeorm';

const KEY = 'telemetry_rate_flag';
const events = (count: number) =>
  Array.from({ length: count }, () => ({
    type: 'http',
    featureKey: KEY,
    variant: 'on',
    route: '/m',
    statusCode: 200,
    latencyMs: 3,
  }));

/** TELEMETRY_RATE_LIMIT: events per second per token, here 100/s (so the burst is one full batch of 5,000). */
describe('telemetry rate limit per token', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { TELEMETRY_RATE_LIMIT: '100' } });
    admin = await t.tokenFor('SUPER_ADMIN');
    await newFlag(t.http, admin, { key: KEY });
  });
  afterAll(() => t.close());

  const post = (token: string, count: number) =>
    t.http
      .post('/api/telemetry/events')
      .set('x-api-key', token)
      .send({ events: events(count) });
  const storedRequests = async (): Promise<number> => {
    const rows: { n: number }[] = await t.app
      .get(DataSource)
      .query('SELECT coalesce(sum(requests), 0)::int AS n FROM telemetry_minutes WHERE feature_key = $1', [KEY]);
    return rows[0].n;
  };

  it('answers 429 problem+json with Retry-After once a token exceeds its rate, stores nothing of it, and leaves other tokens alone', async () => {
    const noisy = await telemetryToken(t.http, admin);
    expect((await post(noisy, 5000).expect(202)).body.accepted).toBe(5000);
    const limited = await post(noisy, 200).expect(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({ status: 429, code: 'TELEMETRY_RATE_LIMITED' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(limited.body.retryAfterSeconds).toBe(retryAfter);

    const quiet = await telemetryToken(t.http, admin);
    // An oversized batch is a 400 for its shape, and costs no more than any bad request.
    await post(quiet, 5001).expect(400);
    await post(quiet, 50).expect(202);
    expect(await storedRequests()).toBe(5050);

    const metrics = (await t.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^flagdog_telemetry_events_total\{outcome="rate_limited"\} (\d+)$/m);
    expect(
      Number(/^flagdog_telemetry_events_total\{outcome="rate_limited"\} (\d+)$/m.exec(metrics)![1]),
    ).toBeGreaterThanOrEqual(200);
  });

  it('lets the token send again once the wait is over', async () => {
    const sender = await telemetryToken(t.http, admin);
    await post(sender, 5000).expect(202);
    const limited = await post(sender, 200).expect(429);
    await new Promise((resolve) => setTimeout(resolve, Number(limited.headers['retry-after']) * 1000));
    await post(sender, 200).expect(202);
  });
});
