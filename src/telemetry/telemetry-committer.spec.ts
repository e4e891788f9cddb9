import { TelemetryBucket } from 'src/telemetry/telemetry-aggregator';
import { TelemetryCommitter } from 'src/telemetry/telemetry-committer';

const NOW = Date.parse('2026-02-01T06:30:20Z');
const event = (statusCode = 200) => ({
  type: 'http',
  featureKey: 'passenger_favorites_matching',
  variant: 'on',
  route: '/m',
  statusCode,
  latencyMs: 5,
});

/** A database that stores what it is given, one write at a time, answering when told to. */
class FakeStore {
  readonly stored: TelemetryBucket[][] = [];
  readonly waiting: Array<{ buckets: TelemetryBucket[]; done: (error?: Error) => void }> = [];
  inFlight = 0;
  maxInFlight = 0;

  write = (buckets: TelemetryBucket[]): Promise<void> => {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) => {
      this.waiting.push({
        buckets,
        done: (error) => {
          this.inFlight -= 1;
          if (error) return reject(error);
          this.stored.push(buckets);
          resolve();
        },
      });
    });
  };

  requests(): number {
    return this.stored.flat().reduce((sum, bucket) => sum + bucket.requests, 0);
  }

  /** Lets the oldest write finish and the promise callbacks after it run. */
  async finish(error?: Error): Promise<void> {
    this.waiting.shift()!.done(error);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** One request: count a batch into the open group and wait for its commit, as TelemetryService does. */
function send(committer: TelemetryCommitter, size: number): { settled: () => string; done: Promise<void> } {
  const group = committer.group();
  group.aggregator.ingest(
    Array.from({ length: size }, () => event()),
    NOW,
  );
  let state = 'waiting';
  const done = group.committed.then(
    () => void (state = 'committed'),
    () => void (state = 'failed'),
  );
  return { settled: () => state, done };
}

describe('TelemetryCommitter', () => {
  it('answers nobody before their events are written, and shares one write among concurrent requests', async () => {
    const store = new FakeStore();
    const committer = new TelemetryCommitter(store.write, 1);
    const first = [send(committer, 10), send(committer, 20)];
    expect(committer.figures().pendingEvents).toBe(30);
    await tick();
    expect(store.waiting).toHaveLength(1);
    // Requests arriving during the write wait for the next one.
    const second = [send(committer, 5), send(committer, 7), send(committer, 1)];
    expect(first.map((request) => request.settled())).toEqual(['waiting', 'waiting']);
    await store.finish();
    expect(first.map((request) => request.settled())).toEqual(['committed', 'committed']);
    expect(store.requests()).toBe(30);
    expect(second.map((request) => request.settled())).toEqual(['waiting', 'waiting', 'waiting']);
    // The next group is written at once, without waiting for the window.
    expect(store.waiting).toHaveLength(1);
    await store.finish();
    expect(second.map((request) => request.settled())).toEqual(['committed', 'committed', 'committed']);
    expect(store.stored).toHaveLength(2);
    expect(store.requests()).toBe(43);
    expect(store.maxInFlight).toBe(1);
    expect(committer.figures()).toMatchObject({ pendingEvents: 0, commits: 2, failedCommits: 0, lastError: null });
  });

  it('fails every request of a failed write, keeps nothing of it, and writes the next group normally', async () => {
    const store = new FakeStore();
    const committer = new TelemetryCommitter(store.write, 1);
    const doomed = [send(committer, 3), send(committer, 4)];
    await tick();
    const next = send(committer, 2);
    await store.finish(new Error('connection terminated'));
    expect(doomed.map((request) => request.settled())).toEqual(['failed', 'failed']);
    expect(committer.figures()).toMatchObject({ failedCommits: 1, lastError: 'connection terminated' });
    await store.finish();
    expect(next.settled()).toBe('committed');
    expect(store.requests()).toBe(2);
    expect(committer.figures()).toMatchObject({ commits: 1, failedCommits: 1, lastError: null, pendingEvents: 0 });
  });

  it('drains what was received before shutdown without waiting for the window, and is idle afterwards', async () => {
    const store = new FakeStore();
    const committer = new TelemetryCommitter(store.write, 60_000);
    const request = send(committer, 8);
    const drained = committer.drain();
    expect(store.waiting).toHaveLength(1);
    await store.finish();
    await drained;
    expect(request.settled()).toBe('committed');
    await committer.drain();
    expect(store.stored).toHaveLength(1);
  });

  it('writes nothing for a group whose requests had no event to count', async () => {
    const store = new FakeStore();
    const committer = new TelemetryCommitter(store.write, 1);
    const empty = send(committer, 0);
    await empty.done;
    expect(empty.settled()).toBe('committed');
    expect(store.waiting).toHaveLength(0);
    expect(committer.figures().commits).toBe(0);
  });
});
