import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { hashPassword } from 'src/auth/password';
import { MIGRATIONS } from 'src/database/data-source-options';
import { SharedLoginLimits1765400000000 } from 'src/database/migrations/1765400000000-SharedLoginLimits';
import { startInstance } from './support/test-app';
import { createTestDatabase, TestDatabase, withClient } from './support/test-database';

/** POST /api/auth/login from a chosen loopback address (all of 127.0.0.0/8 is this machine). */
function loginFrom(
  app: NestFastifyApplication,
  from: string,
  email: string,
  password: string,
): Promise<{ status: number; retryAfter?: string }> {
  const { port } = app.getHttpServer().address() as AddressInfo;
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/api/auth/login',
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: response.headers['retry-after'] as string | undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Login limits counted in PostgreSQL: shared by instances, per account across addresses, per address across accounts. */
describe('login limits shared across instances', () => {
  let database: TestDatabase;
  const apps: NestFastifyApplication[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    for (let i = 0; i < 2; i++) {
      const { app } = await startInstance(database, {
        LOGIN_THROTTLE_LIMIT: '3',
        LOGIN_ADDRESS_LIMIT: '6',
        LOGIN_ACCOUNT_LIMIT: '5',
      });
      apps.push(app);
    }
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await database.drop();
  });

  it('counts one address and email on every instance together', async () => {
    const [a, b] = apps;
    const email = 'shared-victim@flagdog.test';
    expect((await loginFrom(a, '127.0.0.11', email, 'guess one')).status).toBe(401);
    expect((await loginFrom(b, '127.0.0.11', email, 'guess two')).status).toBe(401);
    expect((await loginFrom(a, '127.0.0.11', email, 'guess three')).status).toBe(401);
    const limited = await loginFrom(b, '127.0.0.11', email.toUpperCase(), 'guess four');
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
  });

  it('limits one account across addresses (guessing from many machines)', async () => {
    const email = 'sprayed-account@flagdog.test';
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await loginFrom(apps[i % 2], `127.0.1.${10 + i}`, email, `guess ${i}`)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Another account from a fresh address is unaffected.
    expect((await loginFrom(apps[0], '127.0.1.99', 'someone-else@flagdog.test', 'guess')).status).toBe(401);
  });

  it('limits one address across accounts (one password tried on many accounts)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await loginFrom(apps[i % 2], '127.0.2.10', `spray-${i}@flagdog.test`, 'Summer2026!')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429]);
    expect((await loginFrom(apps[1], '127.0.2.11', 'spray-0@flagdog.test', 'Summer2026!')).status).toBe(401);
  });

  it('stores no email or address in the limits table', async () => {
    const rows = await withClient(
      database.url,
      async (client) => (await client.query('SELECT key FROM login_attempts')).rows as { key: string }[],
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const { key } of rows) expect(key).toMatch(/^[0-9a-f]{64}$/);
  });
});

/** Emails stored before normalisation are rewritten once, in JavaScript's folding, by the migration. */
describe('the migration normalises stored emails', () => {
  let database: TestDatabase;
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
  });
  afterAll(async () => {
    await app?.close();
    await database.drop();
  });

  it('lets users stored in mixed case or decomposed form sign in with the normalised address', async () => {
    const before = new DataSource({
      type: 'postgres',
      url: database.url,
      // Every migration before the one that normalises emails.
      migrations: MIGRATIONS.slice(0, MIGRATIONS.indexOf(SharedLoginLimits1765400000000)),
      migrationsTableName: 'flagdog_migrations',
      migrationsTransactionMode: 'all',
    });
    await before.initialize();
    await before.runMigrations();
    const hash = await hashPassword('legacy password long enough');
    // "Mixed.Case", a decomposed é (e + U+0301), and the dotted capital I that PostgreSQL's lower() folds differently.
    for (const email of ['  Mixed.Case@Flagdog.TEST ', 'caf\u0065\u0301@flagdog.test', '\u0130nci@flagdog.test']) {
      await before.query(`INSERT INTO users (email, role, password_hash) VALUES ($1, 'OPERATOR', $2)`, [email, hash]);
    }
    await before.destroy();

    ({ app } = await startInstance(database));
    const stored = await withClient(database.url, async (client) =>
      (await client.query('SELECT email FROM users ORDER BY email')).rows.map((row: { email: string }) => row.email),
    );
    expect(stored).toEqual(
      expect.arrayContaining([
        'mixed.case@flagdog.test',
        'caf\u00e9@flagdog.test',
        '\u0130nci@flagdog.test'.toLowerCase(),
      ]),
    );
    for (const email of ['mixed.case@flagdog.test', 'CAF\u00c9@flagdog.test', '\u0130nci@flagdog.test']) {
      expect([email, (await loginFrom(app, '127.0.3.1', email, 'legacy password long enough')).status]).toEqual([
        email,
        200,
      ]);
    }
  });
});
