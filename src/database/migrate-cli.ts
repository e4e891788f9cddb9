import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from 'src/config/app-config';
import { buildDataSourceOptions } from 'src/database/data-source-options';
import { EmbeddedDatabase } from 'src/database/embedded-database';
import { runMigrations } from 'src/database/migrate';

/** `npm run migration:run`: applies pending migrations to DATABASE_URL (or the embedded database). */
async function main(): Promise<void> {
  const config = loadConfig();
  const embedded = config.databaseUrl === null ? await EmbeddedDatabase.start(config.dataDir) : null;
  const dataSource = new DataSource(buildDataSourceOptions(embedded?.url ?? config.databaseUrl!, 1));
  try {
    await dataSource.initialize();
    const applied = await runMigrations(dataSource);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations.\n');
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
});
