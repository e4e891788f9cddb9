import type {
  EvaluationDetails,
  FlagValue,
  Hook,
  HookContext,
  TrackingEventDetails,
  EvaluationContext,
  Provider,
} from '@openfeature/server-sdk';
import { type RequestScope, requestScopes } from './request-scope';
import { TelemetrySender, type SenderOptions, type SenderStats } from './telemetry-sender';
import { TelemetryProvider } from './telemetry-provider';
import { servedVariant, validSubjectId } from './variant';
import { fastifyPlugin, nodeMiddleware, type FastifyPlugin, type NodeMiddleware } from './middleware';

/** The OpenFeature tracking event name for a matching outcome (see `trackMatching`). */
export const MATCHING_EVENT = 'flagdog.matching';

export type FlagdogTelemetryOptions = SenderOptions & {
  /** The flags whose variant each request and matching outcome is reported under. */
  flags: readonly string[];
};

export type Exposure = {
  flagKey: string;
  /** `on`/`off` as served; null for failed evaluations (the caller's default was served) and non-boolean answers. */
  variant: 'on' | 'off' | null;
  evaluations: number;
  /** Distinct targeting keys, counted up to `MAX_SUBJECTS_PER_EXPOSURE` (then `subjectsCapped`). */
  subjects: number;
  subjectsCapped: boolean;
};

export type FlagdogTelemetryStats = SenderStats & {
  requests: {
    /** Requests reported (one event per configured flag served). */
    reported: number;
    /** Requests during which none of the configured flags was evaluated: nothing to report. */
    withoutFlag: number;
    /** Requests whose evaluation of a configured flag failed (the default was served, not a variant). */
    unattributed: number;
    /** Requests that evaluated a configured flag twice with different answers (the first is reported). */
    conflicting: number;
  };
  matching: { reported: number; unattributed: number };
  exposures: Exposure[];
  /** Evaluations not counted in `exposures` because it already holds 1,000 (flag, variant) pairs. */
  exposuresUntracked: number;
};

export const MAX_SUBJECTS_PER_EXPOSURE = 10_000;
const MAX_EXPOSURE_ENTRIES = 1_000;

type ExposureEntry = {
  flagKey: string;
  variant: 'on' | 'off' | null;
  evaluations: number;
  subjects: Set<string>;
  capped: boolean;
};

/** What `trackMatching` sends through OpenFeature's `track`. */
export type MatchingOutcome = {
  matched: boolean;
  /** Time to a successful match, ms ≥ 0. */
  timeToMatchMs?: number;
  /** The subject; otherwise the context OpenFeature merges in (transaction, client, global). */
  targetingKey?: string;
};

/**
 * Reports a matching outcome through OpenFeature's tracking API. With a provider wrapped by
 * `FlagdogTelemetry.wrap`, it becomes a `matching` event under the variant the current request
 * was served; any tracking the wrapped provider does still receives it.
 */
export function trackMatching(
  client: { track(name: string, context?: EvaluationContext, details?: TrackingEventDetails): void },
  outcome: MatchingOutcome,
): void {
  const details: TrackingEventDetails = { matched: outcome.matched };
  if (outcome.timeToMatchMs !== undefined) {
    details.value = outcome.timeToMatchMs;
    details.timeToMatchMs = outcome.timeToMatchMs;
  }
  client.track(
    MATCHING_EVENT,
    outcome.targetingKey === undefined ? {} : { targetingKey: outcome.targetingKey },
    details,
  );
}

/**
 * The service side of flagdog's telemetry: an OpenFeature hook that counts exposures and
 * remembers which variant each request was served, middleware that reports each request's
 * status and latency under that variant, matching outcomes from OpenFeature's `track`, and the
 * batching sender behind them. Nothing here throws into the host or makes it wait.
 */
export class FlagdogTelemetry {
  /** Counts every evaluation and ties it to the current request. Added by `wrap`; add it yourself only without `wrap`. */
  readonly hook: Hook;
  private readonly sender: TelemetrySender;
  private readonly flags: readonly string[];
  private readonly exposureEntries = new Map<string, ExposureEntry>();
  private exposureOverflow = 0;
  private readonly requests = { reported: 0, withoutFlag: 0, unattributed: 0, conflicting: 0 };
  private readonly matching = { reported: 0, unattributed: 0 };
  private readonly now: () => number;

  constructor(options: FlagdogTelemetryOptions) {
    this.sender = new TelemetrySender(options);
    this.flags = [...options.flags];
    this.now = options.clock ? () => options.clock!.now() : Date.now;
    this.hook = {
      finally: (hookContext: Readonly<HookContext>, details: EvaluationDetails<FlagValue>) =>
        this.evaluated(hookContext, details),
    };
  }

  /** The provider with this telemetry around it: the hook on every evaluation, `track` captured, a flush on `OpenFeature.close()`. */
  wrap(provider: Provider): Provider {
    return new TelemetryProvider(provider, this);
  }

  /** Express / Connect / node:http middleware; register it before your routes and after body parsers. */
  express(): NodeMiddleware {
    return nodeMiddleware(this);
  }

  /** NestJS middleware (`consumer.apply(telemetry.nest()).forRoutes('{*splat}')`), on either HTTP adapter. */
  nest(): NodeMiddleware {
    return nodeMiddleware(this);
  }

  /** A Fastify plugin (`app.register(telemetry.fastify())`); its hooks apply to the whole app. */
  fastify(): FastifyPlugin {
    return fastifyPlugin(this);
  }

  stats(): FlagdogTelemetryStats {
    return {
      ...this.sender.stats(),
      requests: { ...this.requests },
      matching: { ...this.matching },
      exposures: [...this.exposureEntries.values()].map((entry) => ({
        flagKey: entry.flagKey,
        variant: entry.variant,
        evaluations: entry.evaluations,
        subjects: entry.subjects.size,
        subjectsCapped: entry.capped,
      })),
      exposuresUntracked: this.exposureOverflow,
    };
  }

  /** Sends what is buffered now (see `TelemetrySender.flush`). Never rejects. */
  flush(timeoutMs?: number): Promise<void> {
    return this.sender.flush(timeoutMs);
  }

  /** Sends what is left and stops; called by the wrapped provider's `onClose`. Never rejects. */
  close(timeoutMs?: number): Promise<void> {
    return this.sender.close(timeoutMs);
  }

  /** Reports one finished request; the middleware calls it. */
  requestFinished(scope: RequestScope, route: string, statusCode: number, latencyMs: number): void {
    try {
      const at = new Date(this.now()).toISOString();
      const path = route.length === 0 ? '/' : route.slice(0, 512);
      let served = false;
      for (const featureKey of this.flags) {
        const variant = scope.served.get(featureKey)?.variant;
        if (variant === undefined) continue;
        served = true;
        if (variant === null) {
          this.requests.unattributed += 1;
          continue;
        }
        this.sender.enqueue({
          type: 'http',
          featureKey,
          variant,
          route: path,
          statusCode,
          latencyMs: Math.max(0, latencyMs),
          at,
        });
        this.requests.reported += 1;
      }
      if (!served) this.requests.withoutFlag += 1;
      if (scope.conflicts > 0) this.requests.conflicting += 1;
    } catch {
      // Telemetry never fails a request.
    }
  }

  /** A `track` call that reached the wrapped provider. */
  tracked(name: string, context: EvaluationContext, details: TrackingEventDetails): void {
    if (name !== MATCHING_EVENT) return;
    try {
      if (typeof details.matched !== 'boolean') return;
      const ttm = typeof details.timeToMatchMs === 'number' ? details.timeToMatchMs : details.value;
      const scope = requestScopes.getStore();
      let reported = false;
      for (const featureKey of this.flags) {
        const served = scope?.served.get(featureKey);
        if (served === undefined || served.variant === null) continue;
        const subjectId = validSubjectId(context.targetingKey) ?? served.subjectId;
        this.sender.enqueue({
          type: 'matching',
          featureKey,
          variant: served.variant,
          matched: details.matched,
          ...(subjectId === null ? {} : { subjectId }),
          ...(details.matched && typeof ttm === 'number' && ttm >= 0 ? { timeToMatchMs: ttm } : {}),
          at: new Date(this.now()).toISOString(),
        });
        reported = true;
      }
      if (reported) this.matching.reported += 1;
      else this.matching.unattributed += 1;
    } catch {
      // Telemetry never fails the caller.
    }
  }

  /** The hook's body: count the exposure, and tie it to the current request. */
  private evaluated(hookContext: Readonly<HookContext>, details: EvaluationDetails<FlagValue>): void {
    try {
      const variant = servedVariant(details);
      const subjectId = validSubjectId(hookContext.context.targetingKey);
      this.countExposure(details.flagKey, variant, subjectId);
      requestScopes.getStore()?.serve(details.flagKey, { variant, subjectId });
    } catch {
      // An exposure counter never fails an evaluation.
    }
  }

  private countExposure(flagKey: string, variant: 'on' | 'off' | null, subjectId: string | null): void {
    const key = `${flagKey}\u0000${variant}`;
    let entry = this.exposureEntries.get(key);
    if (entry === undefined) {
      if (this.exposureEntries.size >= MAX_EXPOSURE_ENTRIES) {
        this.exposureOverflow += 1;
        return;
      }
      entry = { flagKey, variant, evaluations: 0, subjects: new Set(), capped: false };
      this.exposureEntries.set(key, entry);
    }
    entry.evaluations += 1;
    if (subjectId === null || entry.subjects.has(subjectId)) return;
    if (entry.subjects.size < MAX_SUBJECTS_PER_EXPOSURE) entry.subjects.add(subjectId);
    else entry.capped = true;
  }
}
