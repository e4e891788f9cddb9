import { TelemetryAggregator, TelemetryBucket } from 'src/telemetry/telemetry-aggregator';

/** The events of the requests that share one commit. */
export type TelemetryGroup = Readonly<{
  aggregator: TelemetryAggregator;
  /** Settles once the group's buckets are committed (or not: it rejects with the write's error). */
  committed: Promise<void>;
}>;

type OpenGroup = TelemetryGroup & { resolve: () => void; reject: (error: unknown) => void };

export type TelemetryCommitterFigures = Readonly<{
  /** Events counted into the open group and the one being written, not yet committed. */
  pendingEvents: number;
  commits: number;
  failedCommits: number;
  lastCommitAt: Date | null;
  lastError: string | null;
}>;

/**
 * Group commit for telemetry: a request counts its batch into the open group and waits for
 * `committed` before it is answered, so an acknowledged event is in the database. One write is
 * in flight at a time; requests arriving meanwhile join the next group, written as soon as the
 * current one is done, so under load a commit carries many requests and the database sees one
 * statement per round instead of one per request. An idle committer waits `windowMs` after the
 * first request of a group, letting concurrent requests join it. No timer runs while idle.
 */
export class TelemetryCommitter {
  private open: OpenGroup | null = null;
  private writing: Promise<void> | null = null;
  private writingEvents = 0;
  private timer: NodeJS.Timeout | null = null;
  private commits = 0;
  private failedCommits = 0;
  private lastCommitAt: Date | null = null;
  private lastError: string | null = null;

  constructor(
    private readonly write: (buckets: TelemetryBucket[]) => Promise<void>,
    private readonly windowMs: number,
  ) {}

  /** The group the next batch joins; counting into it and awaiting `committed` must not be split by an await. */
  group(): TelemetryGroup {
    if (this.open === null) {
      this.open = newGroup();
      if (this.writing === null) this.timer = setTimeout(() => this.startWrite(), this.windowMs);
    }
    return this.open;
  }

  /** Resolves once every group opened so far has been written (or has failed); later ones are not waited for. */
  async drain(): Promise<void> {
    const last = this.open;
    const writing = this.writing;
    if (last !== null && writing === null) this.startWrite();
    await writing;
    await last?.committed.catch(() => undefined);
  }

  figures(): TelemetryCommitterFigures {
    return {
      pendingEvents: this.writingEvents + (this.open?.aggregator.eventCount ?? 0),
      commits: this.commits,
      failedCommits: this.failedCommits,
      lastCommitAt: this.lastCommitAt,
      lastError: this.lastError,
    };
  }

  private startWrite(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const group = this.open;
    if (group === null || this.writing !== null) return;
    this.open = null;
    this.writingEvents = group.aggregator.eventCount;
    this.writing = this.commit(group).finally(() => {
      this.writing = null;
      this.writingEvents = 0;
      // Requests that arrived during the write have waited long enough: no window for them.
      if (this.open !== null) this.startWrite();
    });
  }

  private async commit(group: OpenGroup): Promise<void> {
    const events = group.aggregator.eventCount;
    const buckets = group.aggregator.take();
    try {
      if (buckets.length > 0) await this.write(buckets);
    } catch (error) {
      this.failedCommits += 1;
      this.lastError = error instanceof Error ? error.message : String(error);
      group.reject(error);
      return;
    }
    if (events > 0) {
      this.commits += 1;
      this.lastCommitAt = new Date();
      this.lastError = null;
    }
    group.resolve();
  }
}

function newGroup(): OpenGroup {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const committed = new Promise<void>((done, fail) => {
    resolve = done;
    reject = fail;
  });
  // A group whose requests all had nothing to count has no one waiting on it.
  committed.catch(() => undefined);
  return { aggregator: new TelemetryAggregator(), committed, resolve, reject };
}
