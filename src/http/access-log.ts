import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { featureKeyOf, redactUrl } from 'src/http/logging';

/**
 * How a route's requests are logged:
 * - `full`: a line per request (admin and auth routes, unknown paths) — info, warn for 4xx,
 *   error for 5xx;
 * - `errors-and-slow`: only server errors and requests slower than SLOW_REQUEST_MS, for the
 *   evaluation and telemetry routes, which are called on the hot path of other services;
 *   their volume is summarised once a minute instead (EvaluationSummary);
 * - `none`: health probes, which would drown the log.
 */
export type AccessLogPolicy = 'full' | 'errors-and-slow' | 'none';

export const SLOW_REQUEST_MS = 100;

/**
 * Marks a route other services call on their hot path (the telemetry intake): its requests are
 * logged only when they fail or are slow. `@HotPath()` sets the same for the evaluation routes.
 */
export const QuietAccessLog = (): MethodDecorator =>
  RouteConfig({ accessLog: 'errors-and-slow' satisfies AccessLogPolicy });

/** The policy of a route from its Fastify options (set by @QuietAccessLog or @HotPath) and its path. */
export function accessLogPolicyOf(url: string, config: unknown): AccessLogPolicy {
  if (url.startsWith('/health/')) return 'none';
  return (config as { accessLog?: AccessLogPolicy } | undefined)?.accessLog ?? 'full';
}

type Level = 'info' | 'warn' | 'error';

/**
 * Request log lines, written from Fastify's onResponse hook. Nothing is built unless the line
 * is written: a request the policy or the level drops costs a comparison or two.
 */
export class AccessLog {
  constructor(private readonly logger: PinoLogger) {}

  write(policy: AccessLogPolicy, request: FastifyRequest, reply: FastifyReply): void {
    if (policy === 'none') return;
    const status = reply.statusCode;
    const elapsed = reply.elapsedTime;
    let level: Level;
    let message: string;
    if (status >= 500) {
      level = 'error';
      message = 'request errored';
    } else if (policy === 'errors-and-slow') {
      if (elapsed < SLOW_REQUEST_MS) return;
      level = 'warn';
      message = 'slow request';
    } else {
      level = status >= 400 ? 'warn' : 'info';
      message = 'request completed';
    }
    if (!this.logger.isLevelEnabled(level)) return;
    const url = redactUrl(request.url);
    const key = featureKeyOf(url);
    this.logger[level](
      {
        req: { id: request.id, method: request.method, url },
        res: { statusCode: status },
        responseTime: Math.round(elapsed * 1000) / 1000,
        ...(key === undefined ? {} : { feature_key: key }),
      },
      message,
    );
  }
}
