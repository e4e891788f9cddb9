import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Where the e2e suite keeps its data. On PostgreSQL every test file gets its own database,
 * created from a template migrated once; on PGlite (one session, one database) every test file
 * starts from an empty schema and lets the app migrate it.
 */
export const TEST_DATABASE = process.env.TEST_DATABASE === 'pglite' ? 'pglite' : 'postgres';
export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const PGLITE_URL_VARIABLE = 'FLAGDOG_TEST_PGLITE_URL';
const RUN_VARIABLE = 'FLAGDOG_TEST_RUN';

/** One id per jest run, so concurrent runs on one server never touch each other's databases. */
export function testRunId(): string {
  process.env[RUN_VARIABLE] ??= `${process.pid}_${randomBytes(3).toString('hex')}`;
  return process.env[RUN_VARIABLE];
}

export function templateDatabase(): string {
  return `flagdog_test_${testRunId()}_template`;
}

export function assertTestDatabaseName(name: string): void {
  if (!name.includes('test')) throw new Error(`Refusing to touch database "${name}": its name lacks "test".`);
}

export function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function setPgliteUrl(url: string): void {
  process.env[PGLITE_URL_VARIABLE] = url;
}

export type TestDatabase = Readonly<{ url: string; drop: () => Promise<void> }>;

/** A fresh database for one test file: from the migrated template, or `empty` for migration tests. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  if (TEST_DATABASE === 'pglite') {
    const url = process.env[PGLITE_URL_VARIABLE];
    if (!url) throw new Error('The PGlite test database is not running (global setup).');
    // PGlite takes one connection: the previous file's app may still be letting go of it.
    await retry(() => withClient(url, (client) => client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;')));
    return { url, drop: async () => undefined };
  }
  const name = `flagdog_test_${testRunId()}_${randomBytes(4).toString('hex')}`;
  assertTestDatabaseName(name);
  await withClient(ADMIN_URL, (client) =>
    client.query(options.empty ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`),
  );
  return {
    url: databaseUrl(ADMIN_URL, name),
    drop: () =>
      withClient(ADMIN_URL, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

async function retry<T>(work: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
