import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { AppConfig } from 'src/config/app-config';

/**
 * Paths pino blanks out wherever they appear. Request and response serializers below also
 * leave headers and bodies out entirely, so credentials have two walls to pass.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.accessToken',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.cookie',
];

/** Query parameters whose values are credentials, wherever they appear in a parameter's name. */
const SECRET_NAME = /token|password|passwd|secret|api[_-]?key/i;

/**
 * The URL as it may be logged: the value of every query parameter named like a credential
 * (`access_token`, `token`, `password`, `client_secret`…) replaced with `[redacted]`.
 */
export function redactUrl(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return url;
  const query = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals !== -1 && SECRET_NAME.test(decoded(pair.slice(0, equals))) ? `${pair.slice(0, equals)}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, start)}?${query}`;
}

function decoded(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** The flag a request is about, from its path, so request log lines carry `feature_key` too. */
const FLAG_IN_PATH = /\/(?:feature-flags|beta-monitor|evaluate\/flags)\/(?!evaluate(?:[/?]|$))([a-z][a-z0-9_]{2,63})(?:[/?]|$)/;

export function featureKeyOf(url: string | undefined): string | undefined {
  return url === undefined ? undefined : FLAG_IN_PATH.exec(url)?.[1];
}

export function loggerParams(config: AppConfig, stream?: DestinationStream): Params {
  return {
    pinoHttp: [
      {
        level: config.logLevel,
        messageKey: 'msg',
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id: string }).id,
        // Health probes would drown the log. (Fastify's middleware layer rewrites req.url.)
        autoLogging: {
          ignore: (req: IncomingMessage & { originalUrl?: string }) =>
            (req.originalUrl ?? req.url)?.startsWith('/health/') ?? false,
        },
        customProps: (req: IncomingMessage & { originalUrl?: string }) => {
          const key = featureKeyOf(req.originalUrl ?? req.url);
          return key === undefined ? {} : { feature_key: key };
        },
        customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
          error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
      },
      stream as DestinationStream,
    ],
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
  };
}
