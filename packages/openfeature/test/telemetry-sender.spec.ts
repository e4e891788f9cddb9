import { TelemetrySender, retryAfterMs, type SenderOptions, type TelemetryEvent } from '../src/telemetry-sender';
import { accepted, FakeClock, FakeTransport, settle, status } from './fake-clock';

const event = (i: number): TelemetryEvent => ({
  type: 'http',
  featureKey: 'checkout_v2',
  variant: i % 2 === 0 ? 'on' : 'off',
  route: '/match',
  statusCode: 200,
  latencyMs: i,
  at: '2026-12-03T12:00:00.000Z',
});
const latencies = (events: unknown[]) => events.map((e) => (e as { latencyMs: number }).latencyMs);

function setUp(options: Partial<SenderOptions> = {}) {
  const clock = new FakeClock();
  const transport = new FakeTransport(clock);
  const errors: string[] = [];
  const sender = new TelemetrySender({
    url: 'http://flagdog.test:3000/',
    token: 'fds_secret',
    clock,
    transport: transport.send,
    random: () => 0.5,
    onError: (message) => errors.push(message),
    ...options,
  });
  return { clock, transport, sender, errors };
}

describe('TelemetrySender', () => {
  it('sends one batch after the flush interval, to the intake, with the token as x-api-key or bearer', async () => {
    const { clock, transport, sender } = setUp({ flushIntervalMs: 1_000 });
    for (let i = 0; i < 3; i += 1) sender.enqueue(event(i));
    await clock.advance(999);
    expect(transport.requests).toHaveLength(0);
    await clock.advance(1);
    expect(transport.requests).toHaveLength(1);
    expect(latencies(transport.requests[0].events)).toEqual([0, 1, 2]);
    expect(transport.requests[0].headers).toMatchObject({
      'x-api-key': 'fds_secret',
      'content-type': 'application/json',
    });
    expect(sender.stats()).toMatchObject({
      accepted: 3,
      buffered: 0,
      inFlight: 0,
      lastError: null,
      lastSuccessAt: '2026-12-03T12:00:01.000Z',
    });

    const bearer = setUp({ auth: 'bearer' });
    bearer.sender.enqueue(event(0));
    await bearer.clock.advance(1_000);
    expect(bearer.transport.requests[0].headers).toMatchObject({ authorization: 'Bearer fds_secret' });
    expect(bearer.transport.requests[0].headers['x-api-key']).toBeUndefined();
  });

  it('sends a full batch at once, without waiting for the interval, and splits the rest', async () => {
    const { clock, transport, sender } = setUp({ maxBatchEvents: 4, flushIntervalMs: 1_000 });
    for (let i = 0; i < 10; i += 1) sender.enqueue(event(i));
    await clock.advance(0);
    expect(transport.requests.map((request) => request.events.length)).toEqual([4, 4]);
    await clock.advance(1_000);
    expect(transport.requests.map((request) => latencies(request.events))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(sender.stats().accepted).toBe(10);
  });

  it('keeps at most maxBufferedEvents, dropping the oldest, and counts them', async () => {
    const { clock, transport, sender } = setUp({ maxBufferedEvents: 5, maxBatchEvents: 100 });
    for (let i = 0; i < 8; i += 1) expect(sender.enqueue(event(i))).toBe(true);
    expect(sender.stats()).toMatchObject({
      buffered: 5,
      dropped: { bufferFull: 3, refused: 0, retriesExhausted: 0, shutdown: 0 },
    });
    await clock.advance(1_000);
    expect(latencies(transport.requests[0].events)).toEqual([3, 4, 5, 6, 7]);
  });

  it('backs off exponentially with jitter on 5xx and network errors, retrying the same batch until it is accepted', async () => {
    const { clock, transport, sender, errors } = setUp({
      initialBackoffMs: 1_000,
      maxBackoffMs: 8_000,
      flushIntervalMs: 100,
    });
    transport.answer(status(503), new Error('connect ECONNREFUSED'), status(500), status(502), status(503));
    sender.enqueue(event(1));
    await clock.advance(100);
    // random() = 0.5: half of 1, 2, 4, 8, 8 s (the ceiling).
    for (const wait of [500, 1_000, 2_000, 4_000, 4_000]) {
      const before = transport.requests.length;
      await clock.advance(wait - 1);
      expect(transport.requests).toHaveLength(before);
      await clock.advance(1);
      expect(transport.requests).toHaveLength(before + 1);
    }
    expect(transport.requests.every((request) => latencies(request.events)[0] === 1)).toBe(true);
    expect(sender.stats()).toMatchObject({ accepted: 1, retries: 5, inFlight: 0, dropped: { retriesExhausted: 0 } });
    expect(errors[0]).toBe('HTTP 503 HTTP_503: retrying 1 event(s) in 500 ms');
    expect(errors[1]).toBe('network error: connect ECONNREFUSED: retrying 1 event(s) in 1000 ms');
    expect(errors.join('\n')).not.toContain('fds_secret');
  });

  it('spreads retries with the random draw (full jitter)', async () => {
    for (const [draw, wait] of [
      [0, 0],
      [0.25, 250],
      [0.99, 990],
    ] as const) {
      const { clock, transport, sender } = setUp({ initialBackoffMs: 1_000, random: () => draw, flushIntervalMs: 0 });
      transport.answer(status(503));
      sender.enqueue(event(1));
      await clock.advance(0);
      const failedAt = clock.now();
      await clock.advance(2_000);
      expect(transport.requests[1].at - failedAt).toBe(wait);
    }
  });

  it('honours Retry-After on 429 and 503, in seconds or as a date', async () => {
    const { clock, transport, sender } = setUp({ initialBackoffMs: 1_000, flushIntervalMs: 0, random: () => 0 });
    transport.answer(status(429, '7'), () => status(503, new Date(clock.now() + 3_000).toUTCString()));
    sender.enqueue(event(1));
    await clock.advance(0);
    await clock.advance(6_999);
    expect(transport.requests).toHaveLength(1);
    await clock.advance(1);
    expect(transport.requests).toHaveLength(2);
    await clock.advance(10_000);
    expect(transport.requests).toHaveLength(3);
    expect(transport.requests[2].at - transport.requests[1].at).toBe(3_000);
    expect(retryAfterMs('120', 0)).toBe(120_000);
    expect(retryAfterMs('soon', 0)).toBeNull();
  });

  it('drops a batch after maxAttempts failures and goes on with the next', async () => {
    const { clock, transport, sender } = setUp({
      maxAttempts: 3,
      maxBatchEvents: 2,
      initialBackoffMs: 10,
      flushIntervalMs: 0,
    });
    transport.answer(status(503), status(503), status(503));
    for (let i = 0; i < 3; i += 1) sender.enqueue(event(i));
    await clock.advance(60_000);
    expect(sender.stats()).toMatchObject({ accepted: 1, retries: 2, dropped: { retriesExhausted: 2 } });
    expect(sender.stats().lastError).toContain('2 event(s) dropped after 3 attempts');
    expect(latencies(transport.requests[3].events)).toEqual([2]);
  });

  it('drops a batch flagdog refuses as a whole (401, 400) without retrying, and counts per-event rejections', async () => {
    const { clock, transport, sender } = setUp({ flushIntervalMs: 0 });
    transport.answer(status(401), (events) => ({
      status: 202,
      retryAfter: null,
      body: { accepted: events.length - 1, rejected: [{ index: 0, code: 'UNKNOWN_FLAG', reason: 'x' }] },
    }));
    sender.enqueue(event(1));
    await clock.advance(0);
    sender.enqueue(event(2));
    sender.enqueue(event(3));
    await clock.advance(60_000);
    expect(transport.requests).toHaveLength(2);
    expect(sender.stats()).toMatchObject({
      accepted: 1,
      retries: 0,
      rejected: { UNKNOWN_FLAG: 1 },
      dropped: { refused: 1 },
    });
  });

  it('never throws into the caller: a transport that throws synchronously or an onError that throws are contained', async () => {
    const clock = new FakeClock();
    const sender = new TelemetrySender({
      url: 'http://x',
      token: 't',
      clock,
      flushIntervalMs: 0,
      maxAttempts: 1,
      transport: () => {
        throw new Error('boom');
      },
      onError: () => {
        throw new Error('host callback broken');
      },
    });
    expect(() => sender.enqueue(event(1))).not.toThrow();
    await clock.advance(10);
    expect(sender.stats()).toMatchObject({
      dropped: { retriesExhausted: 1 },
      lastError: expect.stringContaining('boom'),
    });
  });

  it('flush() sends everything buffered now, waiting out a back-off, and resolves', async () => {
    const { clock, transport, sender } = setUp({ maxBatchEvents: 2, flushIntervalMs: 60_000, initialBackoffMs: 1_000 });
    transport.answer(accepted, status(503));
    for (let i = 0; i < 5; i += 1) sender.enqueue(event(i));
    let done = false;
    void sender.flush().then(() => (done = true));
    await clock.advance(0);
    expect(done).toBe(false);
    await clock.advance(500);
    expect(done).toBe(true);
    expect(transport.requests.map((request) => request.events.length)).toEqual([2, 2, 2, 1]);
    expect(sender.stats()).toMatchObject({ accepted: 5, buffered: 0 });
  });

  it('close() sends what is left, refuses later events, and counts what it could not send by the deadline', async () => {
    const ok = setUp({ flushIntervalMs: 60_000 });
    ok.sender.enqueue(event(1));
    const closing = ok.sender.close(5_000);
    await ok.clock.advance(0);
    await closing;
    expect(ok.transport.requests).toHaveLength(1);
    expect(ok.sender.enqueue(event(2))).toBe(false);
    expect(ok.sender.stats()).toMatchObject({ accepted: 1, dropped: { shutdown: 1 } });

    const down = setUp({ flushIntervalMs: 60_000, initialBackoffMs: 1_000 });
    down.transport.answer(...Array.from({ length: 100 }, () => status(503)));
    for (let i = 0; i < 3; i += 1) down.sender.enqueue(event(i));
    let closed = false;
    void down.sender.close(5_000).then(() => (closed = true));
    await down.clock.advance(5_000);
    await settle();
    // Attempts at 0, 0.5, 1.5 and 3.5 s; the next back-off (4 s) would end after the deadline, so it stops there.
    expect(closed).toBe(true);
    expect(down.transport.requests.map((request) => request.at - down.transport.requests[0].at)).toEqual([
      0, 500, 1_500, 3_500,
    ]);
    expect(down.sender.stats()).toMatchObject({ accepted: 0, buffered: 0, inFlight: 0, dropped: { shutdown: 3 } });
    const requests = down.transport.requests.length;
    await down.clock.advance(60_000);
    expect(down.transport.requests).toHaveLength(requests);
  });
});
