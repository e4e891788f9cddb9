import { TelemetryRateLimiter } from 'src/telemetry/telemetry-rate-limiter';
import { AppConfig } from 'src/config/app-config';

const limiterAt = (rateLimitEventsPerSecond: number) =>
  new TelemetryRateLimiter({ telemetry: { rateLimitEventsPerSecond, commitWindowMs: 0 } } as AppConfig);

describe('TelemetryRateLimiter', () => {
  it('lets a sender burst two seconds of its rate, then refuses with the wait until the batch fits', () => {
    const limiter = limiterAt(10_000);
    expect(limiter.take('matcher', 5000, 0)).toBe(0);
    expect(limiter.take('matcher', 5000, 0)).toBe(0);
    expect(limiter.take('matcher', 5000, 0)).toBe(0);
    expect(limiter.take('matcher', 5000, 0)).toBe(0);
    expect(limiter.take('matcher', 5000, 0)).toBe(500);
    expect(limiter.take('matcher', 5000, 499)).toBe(1);
    expect(limiter.take('matcher', 5000, 500)).toBe(0);
    expect(limiter.refusals()).toEqual({ requests: 2, events: 10_000 });
  });

  it('keeps one bucket per sender, so one noisy token does not slow another', () => {
    const limiter = limiterAt(100);
    expect(limiter.take('noisy', 5000, 0)).toBe(0);
    expect(limiter.take('noisy', 1, 0)).toBe(10);
    expect(limiter.take('quiet', 5000, 0)).toBe(0);
  });

  it('always fits one full batch, however low the rate', () => {
    const limiter = limiterAt(1);
    expect(limiter.take('slow', 5000, 0)).toBe(0);
    expect(limiter.take('slow', 5000, 0)).toBe(5_000_000);
    expect(limiter.take('slow', 5000, 5_000_000)).toBe(0);
  });
});
