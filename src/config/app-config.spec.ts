import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from 'src/config/app-config';

const SECRET = 'a'.repeat(32);
const dataDir = () => mkdtempSync(join(tmpdir(), 'flagdog-config-'));

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('has defaults that start the embedded database on port 3000 with an hourly monitor', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    expect(config).toMatchObject({
      databaseUrl: null,
      databasePoolSize: 1,
      port: 3000,
      logLevel: 'info',
      betaMonitor: { cron: '0 * * * *', scheduleEnabled: true },
      jwt: { issuer: 'flagdog', audience: 'flagdog-api', ttlSeconds: 3600 },
      bootstrapAdmin: null,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every problem at once, naming each variable', () => {
    const problems = problemsOf({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      JWT_SECRET: 'short',
      DATABASE_URL: 'mysql://x',
      BOOTSTRAP_ADMIN_EMAIL: 'admin@x.test',
      BETA_MONITOR_SCHEDULE_ENABLED: 'maybe',
      FEATURE_PASSENGER_FAVORITES_MATCHING: 'perhaps',
    });
    expect(problems.join('\n')).toEqual(expect.stringContaining('PORT'));
    for (const name of [
      'LOG_LEVEL',
      'JWT_SECRET',
      'DATABASE_URL',
      'BOOTSTRAP_ADMIN_PASSWORD',
      'BETA_MONITOR_SCHEDULE_ENABLED',
      'FEATURE_PASSENGER_FAVORITES_MATCHING',
    ]) {
      expect(problems.some((problem) => problem.includes(name))).toBe(true);
    }
  });

  it('requires JWT_SECRET in production and never echoes it', () => {
    expect(problemsOf({ NODE_ENV: 'production', DATA_DIR: dataDir() })).toEqual([
      'JWT_SECRET is required when NODE_ENV=production',
    ]);
    const problems = problemsOf({ JWT_SECRET: 'not-long-enough-secret' });
    expect(problems.join()).not.toContain('not-long-enough-secret');
  });

  it('generates a signing secret outside production and keeps it in DATA_DIR (0600)', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.jwt.secret).toHaveLength(64);
    expect(second.jwt.secret).toBe(first.jwt.secret);
    expect(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim()).toBe(first.jwt.secret);
    expect(statSync(join(dir, 'jwt-secret')).mode & 0o777).toBe(0o600);
  });

  it('reads FEATURE_<KEY> master switches in any case of false, 0, off, no', () => {
    const config = loadConfig({
      JWT_SECRET: SECRET,
      FEATURE_PASSENGER_FAVORITES_MATCHING: 'FALSE',
      FEATURE_OTHER_FLAG: 'Off',
      FEATURE_THIRD_FLAG: '0',
      FEATURE_FOURTH_FLAG: 'no',
      FEATURE_KEPT_ON: 'true',
    });
    expect([...config.masterSwitchesOff].sort()).toEqual([
      'fourth_flag',
      'other_flag',
      'passenger_favorites_matching',
      'third_flag',
    ]);
  });

  it('uses a pool on PostgreSQL and parses JWT_TTL durations', () => {
    const config = loadConfig({
      JWT_SECRET: SECRET,
      DATABASE_URL: 'postgres://u@h/db',
      JWT_TTL: '15m',
      DATABASE_POOL_SIZE: '7',
    });
    expect(config).toMatchObject({ databaseUrl: 'postgres://u@h/db', databasePoolSize: 7, jwt: { ttlSeconds: 900 } });
    expect(problemsOf({ JWT_SECRET: SECRET, JWT_TTL: '10s' })[0]).toContain('JWT_TTL');
  });
});
