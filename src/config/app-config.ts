import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { cronProblems } from 'src/config/cron-expression';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type AppConfig = Readonly<{
  nodeEnv: string;
  production: boolean;
  /** PostgreSQL URL; null selects the embedded PGlite database under dataDir. */
  databaseUrl: string | null;
  databasePoolSize: number;
  /** Bound on every wait for the database: connect, query answer, statement (DATABASE_TIMEOUT_MS). */
  databaseTimeoutMs: number;
  /**
   * How long a user seen recently keeps being let in from the cache while the database does not
   * answer (AUTH_OUTAGE_GRACE_SECONDS); past it, flagdog cannot know and answers 503.
   */
  authOutageGraceMs: number;
  /** Full reload of the service tokens at this interval, whatever the change feed says. */
  serviceTokenReloadMs: number;
  dataDir: string;
  port: number;
  host: string;
  jwt: Readonly<{ secret: string; issuer: string; audience: string; ttlSeconds: number }>;
  bootstrapAdmin: Readonly<{ email: string; password: string }> | null;
  betaMonitor: Readonly<{ cron: string; scheduleEnabled: boolean }>;
  alertWebhook: Readonly<{ url: string | null; secret: string | null }>;
  logLevel: LogLevel;
  /**
   * Login limits, counted in the database for all instances together: per address and email
   * (limit per ttlSeconds), per address across emails (addressLimit per ttlSeconds) and per
   * account across addresses (accountLimit per accountTtlSeconds).
   */
  loginThrottle: Readonly<{
    limit: number;
    ttlSeconds: number;
    addressLimit: number;
    accountLimit: number;
    accountTtlSeconds: number;
  }>;
  /** Telemetry intake: events/s each service token may send to one instance; how long a commit waits for company. */
  telemetry: Readonly<{ rateLimitEventsPerSecond: number; commitWindowMs: number }>;
  /**
   * Bearer token a Prometheus scrape of /metrics must present (METRICS_TOKEN); it also unlocks the
   * details of /health/ready. Null: /metrics is open (keep it on the internal network).
   */
  metricsToken: string | null;
  /** Flag keys whose FEATURE_<KEY> environment variable forces them off. */
  masterSwitchesOff: ReadonlySet<string>;
}>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export const APP_CONFIG = Symbol('APP_CONFIG');

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const MASTER_SWITCH_OFF = new Set(['false', '0', 'off', 'no']);
const MASTER_SWITCH_ON = new Set(['true', '1', 'on', 'yes']);
const FLAG_KEY = /^[a-z][a-z0-9_]{2,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const DURATION = /^(\d+)\s*(s|m|h|d)?$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

type Env = Record<string, string | undefined>;

/**
 * Reads and validates every environment variable flagdog uses, reporting all problems at once.
 * This is the only place that reads process.env.
 */
export function loadConfig(env: Env = process.env, options: { createDevSecret?: boolean } = {}): AppConfig {
  const problems: string[] = [];
  const text = (name: string, fallback: string): string => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? fallback : value.trim();
  };
  const optional = (name: string): string | null => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? null : value.trim();
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = optional(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = optional(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (MASTER_SWITCH_ON.has(raw)) return true;
    if (MASTER_SWITCH_OFF.has(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  const nodeEnv = text('NODE_ENV', 'development');
  const production = nodeEnv === 'production';

  const databaseUrl = optional('DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const rawDataDir = text('DATA_DIR', './data');
  const dataDir = isAbsolute(rawDataDir) ? rawDataDir : resolve(process.cwd(), rawDataDir);

  const port = integer('PORT', 3000, 0, 65535);
  const host = text('HOST', '0.0.0.0');

  const ttlRaw = text('JWT_TTL', '1h');
  const ttlMatch = DURATION.exec(ttlRaw);
  const ttlSeconds = ttlMatch ? Number(ttlMatch[1]) * UNIT_SECONDS[ttlMatch[2] ?? 's'] : 0;
  if (!ttlMatch || ttlSeconds < 60 || ttlSeconds > 7 * 86400) {
    problems.push(`JWT_TTL must be a duration between 60s and 7d, like 3600, 15m or 1h (got "${ttlRaw}")`);
  }

  let jwtSecret = optional('JWT_SECRET');
  if (jwtSecret !== null && Buffer.byteLength(jwtSecret, 'utf8') < 32) {
    problems.push('JWT_SECRET must be at least 32 bytes long');
  }
  if (jwtSecret === null && production) {
    problems.push('JWT_SECRET is required when NODE_ENV=production');
  }

  const adminEmail = optional('BOOTSTRAP_ADMIN_EMAIL');
  const adminPassword = optional('BOOTSTRAP_ADMIN_PASSWORD');
  if ((adminEmail === null) !== (adminPassword === null)) {
    problems.push('BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together');
  }
  if (adminEmail !== null && !EMAIL.test(adminEmail)) {
    problems.push('BOOTSTRAP_ADMIN_EMAIL must be an email address');
  }
  if (adminPassword !== null && [...adminPassword].length < 12) {
    problems.push('BOOTSTRAP_ADMIN_PASSWORD must be at least 12 characters');
  }

  const cron = text('BETA_MONITOR_CRON', '0 * * * *');
  for (const problem of cronProblems(cron)) problems.push(`BETA_MONITOR_CRON "${cron}": ${problem}`);
  const scheduleEnabled = boolean('BETA_MONITOR_SCHEDULE_ENABLED', true);

  const webhookUrl = optional('ALERT_WEBHOOK_URL');
  if (webhookUrl !== null && !/^https?:\/\//.test(webhookUrl)) {
    problems.push('ALERT_WEBHOOK_URL must be an http:// or https:// URL');
  }

  const logLevel = text('LOG_LEVEL', 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  const masterSwitchesOff = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('FEATURE_') || value === undefined) continue;
    const key = name.slice('FEATURE_'.length).toLowerCase();
    const normalized = value.trim().toLowerCase();
    if (!FLAG_KEY.test(key)) continue;
    if (MASTER_SWITCH_OFF.has(normalized)) masterSwitchesOff.add(key);
    else if (!MASTER_SWITCH_ON.has(normalized) && normalized !== '') {
      problems.push(
        `${name} must be one of false, 0, off, no (forces the flag off) or true, 1, on, yes (got "${value}")`,
      );
    }
  }

  const metricsToken = optional('METRICS_TOKEN');
  if (metricsToken !== null && (Buffer.byteLength(metricsToken, 'utf8') < 16 || /\s/.test(metricsToken))) {
    problems.push('METRICS_TOKEN must be at least 16 bytes long, without spaces');
  }

  const loginLimit = integer('LOGIN_THROTTLE_LIMIT', 10, 1, 100000);
  const loginTtl = integer('LOGIN_THROTTLE_TTL_SECONDS', 60, 1, 86400);
  const loginAddressLimit = integer('LOGIN_ADDRESS_LIMIT', 100, 1, 1_000_000);
  const loginAccountLimit = integer('LOGIN_ACCOUNT_LIMIT', 30, 1, 1_000_000);
  const loginAccountTtl = integer('LOGIN_ACCOUNT_TTL_SECONDS', 900, 1, 86400);
  const poolSize = integer('DATABASE_POOL_SIZE', 10, 1, 200);
  const telemetryRate = integer('TELEMETRY_RATE_LIMIT', 20_000, 1, 100_000_000);
  const commitWindowMs = integer('TELEMETRY_COMMIT_WINDOW_MS', 2, 0, 1000);
  const databaseTimeoutMs = integer('DATABASE_TIMEOUT_MS', 2000, 100, 600000);
  const authOutageGraceSeconds = integer('AUTH_OUTAGE_GRACE_SECONDS', 60, 0, 3600);
  const serviceTokenReloadSeconds = integer('SERVICE_TOKEN_RELOAD_SECONDS', 30, 1, 3600);

  if (problems.length > 0) throw new ConfigError(problems);

  // `createDevSecret: false` only validates: start-up checks the port and database before it creates anything.
  if (jwtSecret === null) jwtSecret = options.createDevSecret === false ? '' : loadOrCreateDevSecret(dataDir);

  return Object.freeze({
    nodeEnv,
    production,
    databaseUrl,
    databasePoolSize: databaseUrl === null ? 1 : poolSize,
    databaseTimeoutMs,
    authOutageGraceMs: authOutageGraceSeconds * 1000,
    serviceTokenReloadMs: serviceTokenReloadSeconds * 1000,
    dataDir,
    port,
    host,
    jwt: Object.freeze({
      secret: jwtSecret,
      issuer: text('JWT_ISSUER', 'flagdog'),
      audience: text('JWT_AUDIENCE', 'flagdog-api'),
      ttlSeconds,
    }),
    bootstrapAdmin:
      adminEmail !== null && adminPassword !== null
        ? Object.freeze({ email: adminEmail.toLowerCase(), password: adminPassword })
        : null,
    betaMonitor: Object.freeze({ cron, scheduleEnabled }),
    alertWebhook: Object.freeze({ url: webhookUrl, secret: optional('ALERT_WEBHOOK_SECRET') }),
    logLevel,
    loginThrottle: Object.freeze({
      limit: loginLimit,
      ttlSeconds: loginTtl,
      addressLimit: loginAddressLimit,
      accountLimit: loginAccountLimit,
      accountTtlSeconds: loginAccountTtl,
    }),
    telemetry: Object.freeze({ rateLimitEventsPerSecond: telemetryRate, commitWindowMs }),
    metricsToken,
    masterSwitchesOff,
  });
}

/** Outside production the signing secret is generated once and kept in DATA_DIR (mode 0600). */
function loadOrCreateDevSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
}

export type CliTarget = Readonly<{ url: string | null; token: string | null }>;

/**
 * For the command-line tools: a running flagdog to work through (`FLAGDOG_URL`, with an
 * OPERATOR or SUPER_ADMIN token in `FLAGDOG_TOKEN`) instead of opening the database directly.
 */
export function loadCliTarget(env: Env = process.env): CliTarget {
  const url = env.FLAGDOG_URL?.trim() || null;
  const token = env.FLAGDOG_TOKEN?.trim() || null;
  const problems: string[] = [];
  if (url !== null && !/^https?:\/\/[^\s]+$/.test(url))
    problems.push(`FLAGDOG_URL must be an http:// or https:// URL (got "${url}")`);
  if (url !== null && token === null)
    problems.push('FLAGDOG_TOKEN is required with FLAGDOG_URL: an OPERATOR or SUPER_ADMIN access token');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ url: url?.replace(/\/+$/, '') ?? null, token });
}
