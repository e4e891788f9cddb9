import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger as PinoLogger } from 'pino';
import type { AppConfig } from 'src/config/app-config';

/**
 * Paths pino blanks out wherever they appear in a log line. Access log lines carry no headers
 * and no bodies at all and their URLs go through `redactUrl`, so credentials have two walls to
 * pass.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'password',
  'accessToken',
  'token',
  'secret',
  '*.password',
  '*.accessToken',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.cookie',
];

export const REDACTED = '[redacted]';

/** Query parameters whose values never reach a log line. */
const SECRET_QUERY_PARAMETERS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'api_key',
  'api-key',
  'apikey',
]);

/**
 * The URL as a log line may show it: the values of credential-like query parameters
 * (`access_token`, `token`, `password`, `secret`, `api_key`… in any case, also percent-encoded) are
 * replaced by `[redacted]`; everything else is kept as sent.
 */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return url;
  const parts = url.slice(query + 1).split('&');
  let changed = false;
  for (let i = 0; i < parts.length; i++) {
    const equals = parts[i].indexOf('=');
    const rawName = equals === -1 ? parts[i] : parts[i].slice(0, equals);
    if (SECRET_QUERY_PARAMETERS.has(decodedName(rawName))) {
      parts[i] = `${rawName}=${REDACTED}`;
      changed = true;
    }
  }
  return changed ? `${url.slice(0, query)}?${parts.join('&')}` : url;
}

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/** The flag a request is about, from its path, so request log lines carry `feature_key` too. */
const FLAG_IN_PATH =
  /\/(?:feature-flags|beta-monitor|evaluate\/flags)\/(?!evaluate(?:[/?]|$))([a-z][a-z0-9_]{2,63})(?:[/?]|$)/;

export function featureKeyOf(url: string | undefined): string | undefined {
  return url === undefined ? undefined : FLAG_IN_PATH.exec(url)?.[1];
}

/** The process's one pino logger: JSON lines to `stream` (stdout by default), redacted. */
export function createRootLogger(config: Pick<AppConfig, 'logLevel'>, stream?: DestinationStream): PinoLogger {
  const options = { level: config.logLevel, messageKey: 'msg', redact: { paths: REDACTED_PATHS, censor: REDACTED } };
  return stream === undefined ? pino(options) : pino(options, stream);
}

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Nest's logger interface over pino, so `new Logger(Class.name)` anywhere writes the same JSON
 * lines. The last optional parameter Nest passes is the context (the class name); an object or
 * an Error as the message becomes fields of the line (`logger.warn({ err }, 'text')`).
 */
export class AppLogger implements LoggerService {
  constructor(readonly pino: PinoLogger) {}

  verbose(message: unknown, ...optional: unknown[]): void {
    this.write('trace', message, optional);
  }
  debug(message: unknown, ...optional: unknown[]): void {
    this.write('debug', message, optional);
  }
  log(message: unknown, ...optional: unknown[]): void {
    this.write('info', message, optional);
  }
  warn(message: unknown, ...optional: unknown[]): void {
    this.write('warn', message, optional);
  }
  error(message: unknown, ...optional: unknown[]): void {
    this.write('error', message, optional);
  }
  fatal(message: unknown, ...optional: unknown[]): void {
    this.write('fatal', message, optional);
  }

  private write(level: Level, message: unknown, optional: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    let rest = optional;
    if (optional.length > 0) {
      fields.context = optional[optional.length - 1];
      rest = optional.slice(0, -1);
    }
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, ...(rest as [string?]));
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level](Object.assign(fields, message), ...(rest as [string?]));
    } else if (level === 'error' && rest.length === 1 && typeof rest[0] === 'string' && /\n\s*at /.test(rest[0])) {
      // Nest's own exception handlers call error(message, stack).
      const err = new Error(String(message));
      err.stack = rest[0];
      this.pino.error({ ...fields, err });
    } else {
      this.pino[level](fields, String(message), ...(rest as []));
    }
  }
}
