import { DataSource, MigrationExecutor } from 'typeorm';

/** One key for every flagdog instance: start-up work that must run exactly once. */
export const STARTUP_LOCK_KEY = 4_170_022_001;

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock on the same connection, so
 * several instances starting together against an empty database migrate it once and all come up.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'all';
      const applied = await executor.executePendingMigrations();
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
