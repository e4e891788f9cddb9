import { Inject, Injectable } from '@nestjs/common';
import { MAX_EVENTS_PER_BATCH } from 'src/telemetry/telemetry-aggregator';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';

type Bucket = { tokens: number; updatedAt: number };

/**
 * A token bucket per service token, in events: `eventsPerSecond` refill, room for two seconds
 * of it (at least one full batch). Per instance: behind a load balancer a token gets N times the
 * rate over N instances, which still bounds what one sender costs each of them.
 */
@Injectable()
export class TelemetryRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly capacity: number;
  private refused = { requests: 0, events: 0 };

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.rate = config.telemetry.rateLimitEventsPerSecond;
    this.capacity = Math.max(2 * this.rate, MAX_EVENTS_PER_BATCH);
  }

  /** Takes `events` from the sender's bucket: 0 when they fit, else the milliseconds until they would. */
  take(sender: string, events: number, now = Date.now()): number {
    const bucket = this.buckets.get(sender) ?? { tokens: this.capacity, updatedAt: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.rate);
    bucket.updatedAt = now;
    this.buckets.set(sender, bucket);
    if (bucket.tokens >= events) {
      bucket.tokens -= events;
      return 0;
    }
    this.refused = { requests: this.refused.requests + 1, events: this.refused.events + events };
    return Math.ceil(((events - bucket.tokens) / this.rate) * 1000);
  }

  /** Requests and events refused since the process started. */
  refusals(): Readonly<{ requests: number; events: number }> {
    return this.refused;
  }
}
