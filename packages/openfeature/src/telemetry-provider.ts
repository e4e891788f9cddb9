import type {
  EvaluationContext,
  Hook,
  JsonValue,
  Logger,
  Provider,
  ResolutionDetails,
  TrackingEventDetails,
} from '@openfeature/server-sdk';
import type { FlagdogTelemetry } from './flagdog-telemetry';

/**
 * Any OpenFeature provider with flagdog's telemetry around it. Answers, events and status are
 * the wrapped provider's; it adds the exposure hook to the provider's hooks (so every client of
 * the provider runs it), sees `track` calls (and passes them on), and flushes the telemetry
 * when OpenFeature closes the provider.
 */
export class TelemetryProvider implements Provider {
  readonly runsOn = 'server' as const;

  constructor(
    private readonly inner: Provider,
    private readonly telemetry: FlagdogTelemetry,
  ) {}

  get metadata() {
    return this.inner.metadata;
  }

  get hooks(): Hook[] {
    return [...(this.inner.hooks ?? []), this.telemetry.hook];
  }

  get events() {
    return this.inner.events;
  }

  get status() {
    return this.inner.status;
  }

  get domainScoped() {
    return this.inner.domainScoped;
  }

  async initialize(context?: EvaluationContext, domain?: string): Promise<void> {
    await this.inner.initialize?.(context, domain);
  }

  async onClose(): Promise<void> {
    try {
      await this.inner.onClose?.();
    } finally {
      await this.telemetry.close();
    }
  }

  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
    logger: Logger,
  ): Promise<ResolutionDetails<boolean>> {
    return this.inner.resolveBooleanEvaluation(flagKey, defaultValue, context, logger);
  }

  resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
    logger: Logger,
  ): Promise<ResolutionDetails<string>> {
    return this.inner.resolveStringEvaluation(flagKey, defaultValue, context, logger);
  }

  resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
    logger: Logger,
  ): Promise<ResolutionDetails<number>> {
    return this.inner.resolveNumberEvaluation(flagKey, defaultValue, context, logger);
  }

  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
    logger: Logger,
  ): Promise<ResolutionDetails<T>> {
    return this.inner.resolveObjectEvaluation(flagKey, defaultValue, context, logger);
  }

  track(trackingEventName: string, context: EvaluationContext, trackingEventDetails: TrackingEventDetails): void {
    this.telemetry.tracked(trackingEventName, context, trackingEventDetails);
    this.inner.track?.(trackingEventName, context, trackingEventDetails);
  }
}
