import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from 'src/database/data-source-options';
import { EmbeddedDatabase } from 'src/database/embedded-database';
import { runMigrations } from 'src/database/migrate';
import {
  ADMIN_URL,
  TEST_DATABASE,
  assertTestDatabaseName,
  databaseUrl,
  setPgliteUrl,
  templateDatabase,
  withClient,
} from './test-database';

declare global {
  var flagdogEmbeddedDatabase: EmbeddedDatabase | undefined;
}

/** PGlite starts once here, in jest's parent process, so initdb is paid once. */
export default async function globalSetup(): Promise<void> {
  if (TEST_DATABASE === 'pglite') {
    globalThis.flagdogEmbeddedDatabase = await EmbeddedDatabase.start(null);
    setPgliteUrl(globalThis.flagdogEmbeddedDatabase.url);
    return;
  }
  const template = templateDatabase();
  assertTestDatabaseName(template);
  try {
    await withClient(ADMIN_URL, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${template}`);
    });
  } catch (error) {
    throw new Error(
      `The e2e suite needs PostgreSQL at ${ADMIN_URL} (set TEST_DATABASE_ADMIN_URL, or run TEST_DATABASE=pglite): ${String(error)}`,
    );
  }
  const dataSource = await new DataSource(buildDataSourceOptions(databaseUrl(ADMIN_URL, template), 2)).initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
