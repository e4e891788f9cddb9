import { Writable } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApp } from 'src/app.factory';
import { loadConfig } from 'src/config/app-config';
import type { Role } from 'src/auth/permissions';
import { createTestDatabase, TEST_DATABASE, TestDatabase } from './test-database';

export type Http = ReturnType<typeof request>;

export const ADMIN_EMAIL = 'root-admin@flagdog.test';
export const ADMIN_PASSWORD = 'correct horse battery staple';
export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-bytes-long!';

/** Everything a log line said during the test, for assertions on what must never be logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
  text(): string {
    return this.lines.join('');
  }
}

export type TestApp = Readonly<{
  app: NestFastifyApplication;
  http: Http;
  database: TestDatabase;
  logs: LogCapture;
  /** A bearer token of a fresh user with that role (the bootstrap admin for SUPER_ADMIN). */
  tokenFor: (role: Role) => Promise<string>;
  close: () => Promise<void>;
}>;

type StartOptions = { env?: Record<string, string>; database?: TestDatabase };

/** The real app over real HTTP on a loopback port, on its own database. */
export async function startTestApp(options: StartOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const { app, logs } = await startInstance(database, options.env);
  const http = request(app.getHttpServer());
  const tokens = new Map<Role, Promise<string>>();
  const tokenFor = (role: Role): Promise<string> => {
    if (!tokens.has(role)) tokens.set(role, issueToken(http, role));
    return tokens.get(role)!;
  };
  return {
    app,
    http,
    database,
    logs,
    tokenFor,
    close: async () => {
      await app.close();
      if (!options.database) await database.drop();
    },
  };
}

/** One more instance of flagdog on a given database (for multi-instance tests). */
export async function startInstance(
  database: TestDatabase,
  env: Record<string, string> = {},
): Promise<{ app: NestFastifyApplication; logs: LogCapture }> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'flagdog-test-')),
    JWT_SECRET: TEST_JWT_SECRET,
    BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'info',
    LOGIN_THROTTLE_LIMIT: '1000',
    LOGIN_ADDRESS_LIMIT: '100000',
    LOGIN_ACCOUNT_LIMIT: '100000',
    // Scheduled checkpoints only where a test asks for them.
    BETA_MONITOR_SCHEDULE_ENABLED: 'false',
    // PGlite has one session: one connection, as flagdog's embedded default uses.
    DATABASE_POOL_SIZE: TEST_DATABASE === 'pglite' ? '1' : '4',
    ...env,
  });
  const logs = new LogCapture();
  const app = await createApp(config, { databaseUrl: database.url, logStream: logs });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, logs };
}

let userCounter = 0;

async function issueToken(http: Http, role: Role): Promise<string> {
  const admin = await login(http, ADMIN_EMAIL, ADMIN_PASSWORD);
  if (role === 'SUPER_ADMIN') return admin;
  const email = `${role.toLowerCase()}-${process.pid}-${++userCounter}@flagdog.test`;
  const password = `${role}-password-long-enough`;
  await http.post('/api/admin/users').auth(admin, { type: 'bearer' }).send({ email, password, role }).expect(201);
  return login(http, email, password);
}

export async function login(http: Http, email: string, password: string): Promise<string> {
  const response = await http.post('/api/auth/login').send({ email, password }).expect(200);
  return response.body.accessToken as string;
}

/** Factory for flags: `newFlag(api, token, { enabled: true })`. */
export async function newFlag(
  http: Http,
  token: string,
  overrides: Partial<{ key: string; description: string; enabled: boolean; rolloutPercentage: number }> = {},
): Promise<{ key: string; version: number }> {
  const key = overrides.key ?? `flag_${Date.now().toString(36)}_${++userCounter}`;
  const response = await http
    .post('/api/admin/feature-flags')
    .auth(token, { type: 'bearer' })
    .send({ ...overrides, key })
    .expect(201);
  return response.body;
}
