import type { CheckpointStatus } from 'src/beta-monitor/checks';

/** Pure helpers of the metrics module. */

/** The `route` label of requests no route matched (404s for unknown paths). */
export const UNMATCHED_ROUTE = 'unmatched';

export type DatabaseFigures = Readonly<{
  /** Flags with a started phase and their latest checkpoint's status (null: none yet). */
  checkpoints: ReadonlyArray<Readonly<{ key: string; status: CheckpointStatus | null }>>;
  /** Undelivered alerts; null when it could not be read. */
  outboxBacklog: number | null;
}>;

/**
 * A value read at most once per `ttlMs`: concurrent callers share one load; a failed load
 * answers the last good value (or rejects when there is none) and is retried on the next call.
 */
export class TtlCache<T> {
  private value: { data: T; at: number } | null = null;
  private loading: Promise<T> | null = null;

  constructor(
    private readonly ttlMs: number,
    private readonly load: () => Promise<T>,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    if (this.value !== null && this.now() - this.value.at < this.ttlMs) return Promise.resolve(this.value.data);
    this.loading ??= this.load().then(
      (data) => {
        this.loading = null;
        this.value = { data, at: this.now() };
        return data;
      },
      (error: unknown) => {
        this.loading = null;
        if (this.value !== null) return this.value.data;
        throw error;
      },
    );
    return this.loading;
  }
}
