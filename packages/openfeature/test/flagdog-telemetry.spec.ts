import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { InMemoryProvider, OpenFeature, type Client } from '@openfeature/server-sdk';
import { FlagdogTelemetry, trackMatching } from '../src';
import type { TransportRequest } from '../src/telemetry-sender';

const FLAG = 'checkout_v2';
let domains = 0;

/** A telemetry whose transport records the events it would send; an in-memory provider serving `on` to subject `beta`. */
async function setUp(flags = [FLAG]) {
  const sent: Record<string, unknown>[] = [];
  const transport = async (request: TransportRequest) => {
    const events = (JSON.parse(request.body) as { events: Record<string, unknown>[] }).events;
    sent.push(...events);
    return { status: 202, retryAfter: null, body: { accepted: events.length, rejected: [] } };
  };
  const telemetry = new FlagdogTelemetry({
    url: 'http://flagdog.test',
    token: 't',
    flags,
    flushIntervalMs: 60_000,
    transport,
  });
  const provider = new InMemoryProvider({
    [FLAG]: {
      variants: { on: true, off: false },
      defaultVariant: 'off',
      disabled: false,
      contextEvaluator: (context) => (context.targetingKey === 'beta' ? 'on' : 'off'),
    },
  });
  const domain = `telemetry-spec-${++domains}`;
  await OpenFeature.setProviderAndWait(domain, telemetry.wrap(provider));
  return { telemetry, sent, client: OpenFeature.getClient(domain) };
}

/** The request's work: an evaluation after other awaits and a timer, as real handlers do. */
async function handle(client: Client, subject: string | null, flagKey = FLAG): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  if (subject === null) return 204;
  const on = await client.getBooleanValue(flagKey, false, { targetingKey: subject });
  await Promise.resolve();
  trackMatching(client, { matched: on, timeToMatchMs: 700 });
  return on ? 500 : 200;
}

afterAll(() => OpenFeature.close());

describe('FlagdogTelemetry with the Express / NestJS middleware (node:http)', () => {
  let server: Server;
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it('reports each request under the variant it was served, with its status, and its matching outcome', async () => {
    const { telemetry, sent, client } = await setUp();
    const middleware = telemetry.express();
    server = createServer((request, response) =>
      middleware(request, response, () => {
        const subject = new URL(request.url ?? '/', 'http://x').searchParams.get('subject');
        void handle(client, subject).then((status) => response.writeHead(status).end());
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const statuses = await Promise.all(
      ['beta', 'someone', 'beta', null].map((s) =>
        fetch(`${base}/match${s === null ? '' : `?subject=${s}`}`).then((r) => r.status),
      ),
    );
    expect(statuses).toEqual([500, 200, 500, 204]);
    // Outside any request: counted as an exposure, reported under no request.
    await client.getBooleanValue(FLAG, false, { targetingKey: 'beta' });
    await telemetry.flush();

    const http = sent.filter((event) => event.type === 'http');
    expect(http.map((event) => `${event.variant}:${event.statusCode}`).sort()).toEqual(['off:200', 'on:500', 'on:500']);
    expect(http[0]).toMatchObject({
      featureKey: FLAG,
      route: '/match',
      latencyMs: expect.any(Number),
      at: expect.stringMatching(/Z$/),
    });
    const matching = sent.filter((event) => event.type === 'matching');
    expect(matching).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ variant: 'on', subjectId: 'beta', matched: true, timeToMatchMs: 700 }),
        expect.objectContaining({ variant: 'off', subjectId: 'someone', matched: false }),
      ]),
    );
    expect(matching.find((event) => event.matched === false)).not.toHaveProperty('timeToMatchMs');
    const stats = telemetry.stats();
    expect(stats).toMatchObject({
      accepted: 6,
      requests: { reported: 3, withoutFlag: 1, unattributed: 0 },
      matching: { reported: 3, unattributed: 0 },
    });
    expect(stats.exposures).toEqual(
      expect.arrayContaining([
        { flagKey: FLAG, variant: 'on', evaluations: 3, subjects: 1, subjectsCapped: false },
        { flagKey: FLAG, variant: 'off', evaluations: 1, subjects: 1, subjectsCapped: false },
      ]),
    );
  });

  it('does not report a request whose evaluation failed (the default was served), nor a track call outside a request', async () => {
    const { telemetry, sent, client } = await setUp(['missing_flag']);
    const middleware = telemetry.express();
    server = createServer((request, response) =>
      middleware(
        request,
        response,
        () => void handle(client, 'beta', 'missing_flag').then((status) => response.writeHead(status).end()),
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    expect((await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`)).status).toBe(200);
    trackMatching(client, { matched: true });
    await telemetry.flush();
    expect(sent).toEqual([]);
    expect(telemetry.stats()).toMatchObject({
      requests: { reported: 0, unattributed: 1, withoutFlag: 0 },
      matching: { reported: 0, unattributed: 2 },
    });
    expect(telemetry.stats().exposures).toEqual([
      { flagKey: 'missing_flag', variant: null, evaluations: 1, subjects: 1, subjectsCapped: false },
    ]);
  });
});

describe('FlagdogTelemetry as a Fastify plugin', () => {
  it('ties the evaluation to the request across body parsing, and reports the route template', async () => {
    const { telemetry, sent, client } = await setUp();
    const app = Fastify();
    await app.register(telemetry.fastify());
    app.post<{ Params: { id: string }; Body: { subject: string } }>('/rides/:id/match', async (request, reply) => {
      const status = await handle(client, request.body.subject);
      return reply.code(status).send({ ok: status === 200 });
    });
    for (const subject of ['beta', 'someone']) {
      const answer = await app.inject({
        method: 'POST',
        url: `/rides/${subject.length}/match?x=1`,
        payload: { subject },
      });
      expect(answer.statusCode).toBe(subject === 'beta' ? 500 : 200);
    }
    await app.close();
    await telemetry.flush();
    expect(
      sent.filter((event) => event.type === 'http').map((event) => [event.variant, event.statusCode, event.route]),
    ).toEqual([
      ['on', 500, '/rides/:id/match'],
      ['off', 200, '/rides/:id/match'],
    ]);
    expect(telemetry.stats().requests).toMatchObject({ reported: 2, withoutFlag: 0 });
  });
});
