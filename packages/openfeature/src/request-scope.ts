import { AsyncLocalStorage } from 'node:async_hooks';

/** What one request was served: the variant of each flag evaluated while it was handled. */
/** `variant` is null when the evaluation failed: the caller's default was served, not a variant. */
export type Served = { variant: 'on' | 'off' | null; subjectId: string | null };

/**
 * A request's scope. The middleware opens it around the request's handling with
 * AsyncLocalStorage; every evaluation made in that asynchronous call chain (awaits, promise
 * callbacks, timers started there) sees it, and the first answer for each flag is the
 * variant the request was served. Evaluations made elsewhere (at start-up, in a job, in a
 * callback registered before the request) are not tied to any request.
 */
export class RequestScope {
  readonly served = new Map<string, Served>();
  /** Evaluations of a flag in this request that answered another variant than the first. */
  conflicts = 0;

  serve(flagKey: string, served: Served): void {
    const first = this.served.get(flagKey);
    if (first === undefined) this.served.set(flagKey, served);
    else if (first.variant !== served.variant) this.conflicts += 1;
  }
}

export const requestScopes = new AsyncLocalStorage<RequestScope>();
