import Fastify, { type FastifyInstance } from 'fastify';
import { OpenFeature } from '@openfeature/server-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { FlagdogTelemetry, trackMatching } from '@flagdog/openfeature';
import { BETA, FLAG, setUpPhase1 } from './support/runbook';
import { TcpProxy } from './support/tcp-proxy';
import { telemetryToken } from './support/telemetry';
import { startTestApp, TestApp } from './support/test-app';

type Checkpoint = {
  status: string;
  health: string;
  alerts: { code: string; severity: string; message: string }[];
  coverage: Record<string, unknown> | null;
};

jest.setTimeout(60_000);

/**
 * A small Fastify service wired to flagdog as the package's README says (OpenFeature server SDK,
 * the published OFREP provider, this package), with a fault only in the `on` variant, and the
 * beta monitor judging what it reported over real HTTP.
 */
describe('@flagdog/openfeature: a Fastify service reports its traffic to the beta monitor', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;
  let service: FastifyInstance;
  let serviceUrl: string;
  let telemetry: FlagdogTelemetry;
  let flagdogUrl: string;
  let token: string;
  /** Share of `on` requests that answer 503 (0.3 = 3 of every 10). */
  let faultRate = 0;
  let onRequests = 0;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.tokenFor('SUPER_ADMIN');
    operator = await t.tokenFor('OPERATOR');
    await setUpPhase1(t.http, admin);
    flagdogUrl = await t.app.getUrl();
    // One token for both jobs: evaluating the flag (OFREP) and reporting its traffic.
    token = await telemetryToken(t.http, admin, {
      name: 'matching-backend',
      permissions: ['flags:evaluate', 'telemetry:write'],
      telemetryFeatureKeys: [FLAG],
    });

    // The three lines of the README.
    telemetry = new FlagdogTelemetry({ url: flagdogUrl, token, flags: [FLAG] });
    await OpenFeature.setProviderAndWait(
      telemetry.wrap(new OFREPProvider({ baseUrl: flagdogUrl, headers: { 'X-API-Key': token } })),
    );
    service = Fastify();
    await service.register(telemetry.fastify());

    const flags = OpenFeature.getClient('matching-backend');
    service.get<{ Params: { passenger: string } }>('/match/:passenger', async (request, reply) => {
      const passenger = request.params.passenger;
      const favorites = await flags.getBooleanValue(FLAG, false, { targetingKey: passenger });
      // Some work, the same in both variants, so latency compares like for like on a busy machine.
      await new Promise((resolve) => setTimeout(resolve, 30));
      if (favorites && (onRequests++ % 10) / 10 < faultRate)
        return reply.code(503).send({ error: 'favorites unavailable' });
      trackMatching(flags, { matched: true, timeToMatchMs: favorites ? 900 : 1_000, targetingKey: passenger });
      return { favorites };
    });
    service.get('/health', async () => ({ ok: true }));
    serviceUrl = await service.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await OpenFeature.close();
    await service?.close();
    await t?.close();
  });

  /**
   * Each beta passenger `perBeta` times (served `on`) and `control` other passengers (served
   * `off`), interleaved so both variants meet the same load, 10 at a time.
   */
  const drive = async (perBeta: number, control: number): Promise<number[]> => {
    const treatment = Array.from({ length: perBeta }, () => BETA).flat();
    const others = Array.from({ length: control }, (_, i) => `passenger-${i}`);
    const passengers = [
      ...treatment.map((p, i) => ({ p, at: i / treatment.length })),
      ...others.map((p, i) => ({ p, at: i / others.length })),
    ]
      .sort((a, b) => a.at - b.at)
      .map(({ p }) => p);
    const statuses: number[] = [];
    for (let i = 0; i < passengers.length; i += 10) {
      const answers = await Promise.all(
        passengers.slice(i, i + 10).map((passenger) => fetch(`${serviceUrl}/match/${passenger}`)),
      );
      statuses.push(...answers.map((answer) => answer.status));
    }
    return statuses;
  };
  /** Until the sender has delivered everything reported so far (it sends on its own timer, every second). */
  const delivered = async () => {
    for (let i = 0; i < 200; i += 1) {
      const stats = telemetry.stats();
      if (stats.buffered === 0 && stats.inFlight === 0) return stats;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`telemetry not delivered: ${JSON.stringify(telemetry.stats())}`);
  };
  const run = async (): Promise<Checkpoint> =>
    (
      await t.http
        .post(`/api/admin/beta-monitor/${FLAG}/run`)
        .auth(operator, { type: 'bearer' })
        .send({ phase: 'phase1_beta' })
        .expect(201)
    ).body;
  const codes = (checkpoint: Checkpoint) => checkpoint.alerts.map((alert) => `${alert.code}:${alert.severity}`).sort();

  it('reports healthy traffic under the variant each request was served: the checkpoint is PASS / GREEN', async () => {
    const statuses = await drive(6, 150);
    expect(statuses.every((status) => status === 200)).toBe(true);
    await fetch(`${serviceUrl}/health`);
    const stats = await delivered();
    // 60 requests served on, 150 off, each with a matching outcome; the health check evaluated no flag.
    expect(stats).toMatchObject({
      accepted: 420,
      rejected: {},
      dropped: { bufferFull: 0, refused: 0, retriesExhausted: 0, shutdown: 0 },
      requests: { reported: 210, withoutFlag: 1, unattributed: 0, conflicting: 0 },
      matching: { reported: 210, unattributed: 0 },
    });
    expect(stats.exposures).toEqual(
      expect.arrayContaining([
        { flagKey: FLAG, variant: 'on', evaluations: 60, subjects: 10, subjectsCapped: false },
        { flagKey: FLAG, variant: 'off', evaluations: 150, subjects: 150, subjectsCapped: false },
      ]),
    );
    const checkpoint = await run();
    expect(codes(checkpoint)).toEqual([]);
    expect(checkpoint).toMatchObject({ status: 'PASS', health: 'GREEN' });
  });

  it('drives the checkpoint to ERROR_RATE_5XX / RED when 30 % of the on variant fails, control untouched', async () => {
    faultRate = 0.3;
    const statuses = await drive(6, 150);
    expect(statuses.filter((status) => status === 503)).toHaveLength(18);
    await delivered();
    const checkpoint = await run();
    expect(checkpoint).toMatchObject({ status: 'FAIL', health: 'RED' });
    expect(codes(checkpoint)).toContain('ERROR_RATE_5XX:CRITICAL');
    // Only treatment traffic failed: 18 of the 120 requests served `on` over both runs.
    expect(checkpoint.alerts.find((alert) => alert.code === 'ERROR_RATE_5XX')?.message).toContain('(18 of 120)');
  });

  it('keeps the service answering while the intake is out of reach, backs off, and delivers once it is back', async () => {
    // A second service whose telemetry goes through a proxy that can be cut; it evaluates directly.
    const proxy = await TcpProxy.start(flagdogUrl);
    const cutOff = new FlagdogTelemetry({
      url: proxy.urlFor(flagdogUrl),
      token,
      flags: [FLAG],
      flushIntervalMs: 100,
      initialBackoffMs: 200,
      maxBackoffMs: 1_000,
    });
    await OpenFeature.setProviderAndWait(
      'cut-off',
      cutOff.wrap(new OFREPProvider({ baseUrl: flagdogUrl, headers: { 'X-API-Key': token } })),
    );
    const other = Fastify();
    await other.register(cutOff.fastify());
    other.get<{ Params: { passenger: string } }>('/match/:passenger', async (request) => ({
      favorites: await OpenFeature.getClient('cut-off').getBooleanValue(FLAG, false, {
        targetingKey: request.params.passenger,
      }),
    }));
    const otherUrl = await other.listen({ host: '127.0.0.1', port: 0 });
    try {
      proxy.cut();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => fetch(`${otherUrl}/match/${i % 2 === 0 ? BETA[0] : `cut-off-${i}`}`)),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
      for (let i = 0; i < 100 && cutOff.stats().retries < 2; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const down = cutOff.stats();
      // Nothing lost, nothing delivered: the batch being retried plus what waits behind it.
      expect(down).toMatchObject({ accepted: 0, requests: { reported: 20 } });
      expect(down.buffered + down.inFlight).toBe(20);
      expect(down.retries).toBeGreaterThanOrEqual(2);
      expect(down.lastError).toMatch(/^network error/);
      expect(down.lastError).not.toContain(token);

      proxy.restore();
      for (let i = 0; i < 200 && cutOff.stats().accepted < 20; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(cutOff.stats()).toMatchObject({
        accepted: 20,
        inFlight: 0,
        dropped: { bufferFull: 0, refused: 0, retriesExhausted: 0, shutdown: 0 },
      });
    } finally {
      await other.close();
      await cutOff.close();
      await proxy.close();
    }
  });

  it("with the package's sender stopped, the checkpoint says TELEMETRY_MISSING instead of GREEN", async () => {
    // A second flag, fully on in its phase, used by a service whose telemetry sender has stopped.
    const key = 'favorites_ranking';
    const auth = { type: 'bearer' as const };
    await t.http.post('/api/admin/feature-flags').auth(admin, auth).send({ key }).expect(201);
    const phase = { name: 'full', expected: { enabled: true, rolloutPercentage: 100, allowlistCount: 0 } };
    await t.http
      .put(`/api/admin/beta-monitor/${key}/phases`)
      .auth(admin, auth)
      .send({ phases: [phase] })
      .expect(200);
    await t.http.post(`/api/admin/beta-monitor/${key}/phases/full/start`).auth(admin, auth).send({}).expect(200);
    const stopped = new FlagdogTelemetry({ url: flagdogUrl, token, flags: [key] });
    await OpenFeature.setProviderAndWait(
      'stopped',
      stopped.wrap(new OFREPProvider({ baseUrl: flagdogUrl, headers: { 'X-API-Key': token } })),
    );
    const other = Fastify();
    await other.register(stopped.fastify());
    other.get<{ Params: { passenger: string } }>('/rank/:passenger', async (request) => ({
      ranked: await OpenFeature.getClient('stopped').getBooleanValue(key, false, {
        targetingKey: request.params.passenger,
      }),
    }));
    const otherUrl = await other.listen({ host: '127.0.0.1', port: 0 });
    try {
      await stopped.close();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => fetch(`${otherUrl}/rank/passenger-${i}`).then((r) => r.json())),
      );
      expect(answers).toEqual(Array(20).fill({ ranked: true }));
      // The requests were reported to the package, which no longer sends anything.
      expect(stopped.stats()).toMatchObject({ accepted: 0, requests: { reported: 20 } });
      const checkpoint = (
        await t.http.post(`/api/admin/beta-monitor/${key}/run`).auth(operator, auth).send({}).expect(201)
      ).body as Checkpoint;
      expect(checkpoint).toMatchObject({ status: 'WARN', health: 'YELLOW' });
      expect(codes(checkpoint)).toEqual(['TELEMETRY_MISSING:WARN']);
      expect(checkpoint.coverage).toMatchObject({ evaluationsOn: 20, treatmentRequests: 0, noTraffic: false });
    } finally {
      await other.close();
    }
  });

  it('delivers what is still buffered when OpenFeature closes the provider', async () => {
    faultRate = 0;
    await drive(1, 0);
    const before = telemetry.stats();
    // Reported within the default 1 s flush interval: still waiting when the service shuts down.
    expect(before.buffered).toBeGreaterThan(0);
    await OpenFeature.close();
    const after = telemetry.stats();
    expect(after).toMatchObject({
      buffered: 0,
      inFlight: 0,
      dropped: { bufferFull: 0, refused: 0, retriesExhausted: 0, shutdown: 0 },
    });
    // Every request and every matching outcome reported (the 18 failed requests had no match to report).
    expect(after.requests.reported).toBe(before.requests.reported);
    expect(after.requests.reported).toBe(430);
    expect(after.matching.reported).toBe(430 - 18);
    expect(after.accepted).toBe(430 + 412);
  });
});
