/**
 * Batches telemetry events to flagdog's `POST /api/telemetry/events`.
 *
 * The host service must never wait for, or fail because of, its telemetry: `enqueue` is
 * synchronous and O(1), nothing here throws into the caller, and every event that cannot be
 * delivered is counted in `stats().dropped` instead. Memory is bounded: at most
 * `maxBufferedEvents` waiting plus the one batch being sent or retried. When the buffer is
 * full the oldest waiting event is dropped (the intake refuses events older than 24 h, and the
 * newest are the evidence a checkpoint is about to read).
 */

export type HttpTelemetryEvent = {
  type: 'http';
  featureKey: string;
  variant: 'on' | 'off';
  route: string;
  statusCode: number;
  latencyMs: number;
  at: string;
};

export type MatchingTelemetryEvent = {
  type: 'matching';
  featureKey: string;
  variant: 'on' | 'off';
  subjectId?: string;
  matched: boolean;
  timeToMatchMs?: number;
  at: string;
};

export type TelemetryEvent = HttpTelemetryEvent | MatchingTelemetryEvent;

/** Time and timers, injected so tests run on a fake clock. */
export type Clock = {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

export type TransportRequest = { url: string; headers: Record<string, string>; body: string; timeoutMs: number };
export type TransportResponse = { status: number; retryAfter: string | null; body: unknown };
/** Sends one request; rejects on a network error or a timeout. */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

export type SenderOptions = {
  /** flagdog's base URL, e.g. `http://flagdog.internal:3000` (a trailing `/` is ignored). */
  url: string;
  /** A service token created with the `telemetry:write` permission. */
  token: string;
  /** How the token is sent; flagdog's intake accepts both. Default `x-api-key`. */
  auth?: 'x-api-key' | 'bearer';
  /** Events waiting to be sent, at most (default 10,000). */
  maxBufferedEvents?: number;
  /** Events per request, at most (default 1,000; flagdog takes up to 5,000). */
  maxBatchEvents?: number;
  /** How long an event may wait for companions before a request is sent (default 1,000 ms). */
  flushIntervalMs?: number;
  /** First back-off step (default 500 ms); each failure doubles it, up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  /** Back-off ceiling (default 30,000 ms); a longer Retry-After is honoured up to 5 minutes. */
  maxBackoffMs?: number;
  /** Attempts of one batch before it is dropped (default 10). */
  maxAttempts?: number;
  /** Per request (default 10,000 ms). */
  requestTimeoutMs?: number;
  /** Told about each failed request (a message without the token). Default: nothing. */
  onError?: (message: string) => void;
  clock?: Clock;
  transport?: Transport;
  /** Uniform in [0, 1); for the back-off jitter. */
  random?: () => number;
};

export type DropCounters = {
  /** Dropped because the buffer was full (the oldest waiting ones). */
  bufferFull: number;
  /** Refused as a whole by flagdog with a 4xx other than 429 (bad token, malformed batch): resending would not help. */
  refused: number;
  /** Given up after `maxAttempts` failed attempts (429, 5xx, network errors, timeouts). */
  retriesExhausted: number;
  /** Still unsent when `close()` ran out of time, or enqueued after it. */
  shutdown: number;
};

export type SenderStats = {
  /** Waiting in the buffer. */
  buffered: number;
  /** In the batch being sent or waiting for its retry. */
  inFlight: number;
  /** Accepted by flagdog (counted in the database). */
  accepted: number;
  /** Refused one by one by flagdog (`UNKNOWN_FLAG`, `FLAG_NOT_ALLOWED`, `INVALID_EVENT`), by code. */
  rejected: Record<string, number>;
  dropped: DropCounters;
  /** Failed requests that were retried. */
  retries: number;
  lastError: string | null;
  lastSuccessAt: string | null;
};

const RETRY_AFTER_CEILING_MS = 300_000;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** `fetch` (Node ≥ 18), with a timeout; the response body is read as JSON when it is JSON. */
export const fetchTransport: Transport = async ({ url, headers, body, timeoutMs }) => {
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  let parsed: unknown = null;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: parsed };
};

/** Retry-After as seconds or an HTTP date, in ms from `now`; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

const isRetryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

export class TelemetrySender {
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;
  private readonly maxBuffered: number;
  private readonly maxBatch: number;
  private readonly flushIntervalMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxAttempts: number;
  private readonly requestTimeoutMs: number;
  private readonly clock: Clock;
  private readonly transport: Transport;
  private readonly random: () => number;
  private readonly onError: (message: string) => void;

  /** The buffer is `queue[head…]`; compacted when half of it is consumed. */
  private queue: TelemetryEvent[] = [];
  private head = 0;
  /** The batch being sent, or waiting for its retry. */
  private batch: TelemetryEvent[] | null = null;
  private attempts = 0;
  private notBefore = 0;
  private timer: unknown = null;
  private timerDue = Infinity;
  private sending: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private readonly counters: Omit<SenderStats, 'buffered' | 'inFlight'> = {
    accepted: 0,
    rejected: {},
    dropped: { bufferFull: 0, refused: 0, retriesExhausted: 0, shutdown: 0 },
    retries: 0,
    lastError: null,
    lastSuccessAt: null,
  };

  constructor(options: SenderOptions) {
    this.endpoint = `${options.url.replace(/\/+$/, '')}/api/telemetry/events`;
    this.headers =
      (options.auth ?? 'x-api-key') === 'bearer'
        ? { 'content-type': 'application/json', authorization: `Bearer ${options.token}` }
        : { 'content-type': 'application/json', 'x-api-key': options.token };
    this.maxBuffered = Math.max(1, options.maxBufferedEvents ?? 10_000);
    this.maxBatch = Math.min(5_000, Math.max(1, options.maxBatchEvents ?? 1_000));
    this.flushIntervalMs = options.flushIntervalMs ?? 1_000;
    this.initialBackoffMs = options.initialBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 10);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.clock = options.clock ?? systemClock;
    this.transport = options.transport ?? fetchTransport;
    this.random = options.random ?? Math.random;
    this.onError = options.onError ?? (() => undefined);
  }

  /** Queues one event; never blocks, never throws. False when it was not queued (after close). */
  enqueue(event: TelemetryEvent): boolean {
    if (this.closing !== null) {
      this.counters.dropped.shutdown += 1;
      return false;
    }
    if (this.buffered() >= this.maxBuffered) {
      this.head += 1;
      this.counters.dropped.bufferFull += 1;
    }
    this.queue.push(event);
    this.compact();
    this.scheduleNext();
    return true;
  }

  stats(): SenderStats {
    return {
      ...this.counters,
      rejected: { ...this.counters.rejected },
      dropped: { ...this.counters.dropped },
      buffered: this.buffered(),
      inFlight: this.batch?.length ?? 0,
    };
  }

  /**
   * Sends everything buffered now, honouring a back-off in progress, and resolves when the
   * buffer is empty, or after `timeoutMs` with whatever is left still queued. Never rejects.
   */
  async flush(timeoutMs = 10_000): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    while (this.buffered() > 0 || this.batch !== null) {
      if (this.sending !== null) {
        await this.sending;
        continue;
      }
      const wait = this.notBefore - this.clock.now();
      if (this.clock.now() >= deadline || this.clock.now() + Math.max(0, wait) >= deadline) return;
      if (wait > 0) await this.sleep(wait);
      else await this.sendOne();
    }
  }

  /** Stops taking events, sends what is left within `timeoutMs`, and counts the rest as dropped. Never rejects. */
  close(timeoutMs = 5_000): Promise<void> {
    this.closing ??= (async () => {
      this.cancelTimer();
      await this.flush(timeoutMs);
      if (this.sending !== null) await this.sending;
      this.counters.dropped.shutdown += this.buffered() + (this.batch?.length ?? 0);
      this.queue = [];
      this.head = 0;
      this.batch = null;
    })();
    return this.closing;
  }

  private buffered(): number {
    return this.queue.length - this.head;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private take(): TelemetryEvent[] {
    const batch = this.queue.slice(this.head, this.head + this.maxBatch);
    this.head += batch.length;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    return batch;
  }

  /** Arms the timer for the next send: now for a full batch, after the interval otherwise, never before a back-off ends. */
  private scheduleNext(): void {
    if (this.closing !== null || this.sending !== null) return;
    if (this.batch === null && this.buffered() === 0) return;
    const now = this.clock.now();
    const delay = this.batch !== null || this.buffered() >= this.maxBatch ? 0 : this.flushIntervalMs;
    const due = Math.max(now + delay, this.notBefore);
    if (this.timer !== null && this.timerDue <= due) return;
    this.cancelTimer();
    this.timerDue = due;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.timerDue = Infinity;
      void this.sendOne();
    }, due - now);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerDue = Infinity;
  }

  /** A wait inside flush/close keeps the process alive (the system clock's timers are unref'd), so a shutdown is not cut short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.clock.setTimeout(resolve, ms) as { ref?: () => void } | null;
      handle?.ref?.();
    });
  }

  private sendOne(): Promise<void> {
    if (this.sending !== null) return this.sending;
    this.batch ??= this.take();
    if (this.batch.length === 0) {
      this.batch = null;
      return Promise.resolve();
    }
    this.sending = this.attempt(this.batch).finally(() => {
      this.sending = null;
      this.scheduleNext();
    });
    return this.sending;
  }

  private async attempt(batch: TelemetryEvent[]): Promise<void> {
    let response: TransportResponse | null = null;
    let failure: string;
    try {
      response = await this.transport({
        url: this.endpoint,
        headers: this.headers,
        body: JSON.stringify({ events: batch }),
        timeoutMs: this.requestTimeoutMs,
      });
    } catch (error) {
      failure = `network error: ${error instanceof Error ? error.message : String(error)}`;
      this.retryLater(batch, failure, null);
      return;
    }
    if (response.status >= 200 && response.status < 300) {
      this.delivered(batch, response.body);
      return;
    }
    failure = `HTTP ${response.status}${problemCode(response.body)}`;
    if (isRetryable(response.status)) {
      this.retryLater(batch, failure, retryAfterMs(response.retryAfter, this.clock.now()));
      return;
    }
    this.counters.dropped.refused += batch.length;
    this.failed(`${failure}: ${batch.length} event(s) dropped`);
    this.reset();
  }

  private delivered(batch: TelemetryEvent[], body: unknown): void {
    const answer = (body ?? {}) as { accepted?: unknown; rejected?: unknown };
    const rejected = Array.isArray(answer.rejected) ? (answer.rejected as { code?: unknown }[]) : [];
    for (const rejection of rejected) {
      const code = typeof rejection?.code === 'string' ? rejection.code : 'UNKNOWN';
      this.counters.rejected[code] = (this.counters.rejected[code] ?? 0) + 1;
    }
    this.counters.accepted += typeof answer.accepted === 'number' ? answer.accepted : batch.length - rejected.length;
    this.counters.lastSuccessAt = new Date(this.clock.now()).toISOString();
    this.reset();
  }

  private retryLater(batch: TelemetryEvent[], failure: string, retryAfter: number | null): void {
    this.attempts += 1;
    if (this.attempts >= this.maxAttempts) {
      this.counters.dropped.retriesExhausted += batch.length;
      this.failed(`${failure}: ${batch.length} event(s) dropped after ${this.attempts} attempts`);
      this.reset();
      return;
    }
    this.counters.retries += 1;
    // "Full jitter": uniform up to the exponential step, so many senders recovering at once spread out.
    const step = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** (this.attempts - 1));
    const jittered = this.random() * step;
    const delay = retryAfter === null ? jittered : Math.min(RETRY_AFTER_CEILING_MS, retryAfter) + jittered / 4;
    this.notBefore = this.clock.now() + delay;
    this.failed(`${failure}: retrying ${batch.length} event(s) in ${Math.round(delay)} ms`);
  }

  private failed(message: string): void {
    this.counters.lastError = message;
    try {
      this.onError(message);
    } catch {
      // The host's callback must not break the sender.
    }
  }

  private reset(): void {
    this.batch = null;
    this.attempts = 0;
    this.notBefore = 0;
  }
}

function problemCode(body: unknown): string {
  const code = (body as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? ` ${code}` : '';
}
