import type { Clock, TransportRequest, TransportResponse } from '../src/telemetry-sender';

/** A clock whose time moves only when a test says so; timers fire in order of due time. */
export class FakeClock implements Clock {
  private time = Date.parse('2026-12-03T12:00:00Z');
  private timers: { id: number; due: number; callback: () => void }[] = [];
  private nextId = 0;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.nextId;
    this.timers.push({ id, due: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  /** Moves time forward by `ms`, firing each due timer and letting the promises it starts settle. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    await settle();
    for (;;) {
      const next = this.timers.filter((timer) => timer.due <= until).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (next === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.time = next.due;
      next.callback();
      await settle();
    }
    this.time = until;
  }
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
}

/** A transport that records each request and answers from a script (default: 202, all accepted). */
export class FakeTransport {
  readonly requests: { at: number; events: unknown[]; headers: Record<string, string> }[] = [];
  private readonly script: ((events: unknown[]) => TransportResponse | Error)[] = [];

  constructor(private readonly clock: FakeClock) {}

  /** The answers to the next requests, in order. */
  answer(...answers: (TransportResponse | Error | ((events: unknown[]) => TransportResponse | Error))[]): void {
    this.script.push(...answers.map((answer) => (typeof answer === 'function' ? answer : () => answer)));
  }

  readonly send = async (request: TransportRequest): Promise<TransportResponse> => {
    const events = (JSON.parse(request.body) as { events: unknown[] }).events;
    this.requests.push({ at: this.clock.now(), events, headers: request.headers });
    const answer = (this.script.shift() ?? accepted)(events);
    if (answer instanceof Error) throw answer;
    return answer;
  };
}

export const accepted = (events: unknown[]): TransportResponse => ({
  status: 202,
  retryAfter: null,
  body: { accepted: events.length, rejected: [] },
});
export const status = (code: number, retryAfter: string | null = null): TransportResponse => ({
  status: code,
  retryAfter,
  body: { code: `HTTP_${code}` },
});
