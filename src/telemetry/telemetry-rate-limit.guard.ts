import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest } from 'src/auth/access.decorator';
import { MAX_EVENTS_PER_BATCH } from 'src/telemetry/telemetry-aggregator';
import { TelemetryRateLimiter } from 'src/telemetry/telemetry-rate-limiter';
import { AppError } from 'src/http/app-error';

/**
 * Refuses a telemetry batch over the sender's rate with 429 and Retry-After, before it is
 * validated or counted. Runs after the global AccessGuard, so the sender is known. A request
 * costs its number of events, and at least one, so empty or malformed batches are limited too.
 */
@Injectable()
export class TelemetryRateLimitGuard implements CanActivate {
  constructor(private readonly limiter: TelemetryRateLimiter) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest & { body?: { events?: unknown } }>();
    const events = request.body?.events;
    const count = Array.isArray(events) ? events.length : 0;
    // A batch over the maximum is refused whole by TelemetryBatchPipe (400): it costs one, like any malformed body.
    const cost = count >= 1 && count <= MAX_EVENTS_PER_BATCH ? count : 1;
    const waitMs = this.limiter.take(request.principal?.id ?? '', cost);
    if (waitMs === 0) return true;
    const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
    http.getResponse<FastifyReply>().header('retry-after', String(retryAfterSeconds));
    throw new AppError(
      429,
      'TELEMETRY_RATE_LIMITED',
      `This token sends more telemetry than its limit; retry in ${retryAfterSeconds} s.`,
      {
        retryAfterSeconds,
      },
    );
  }
}
