import { DataSource, MigrationExecutor } from 'typeorm';
import { ADVISORY_LOCKS } from 'src/database/advisory-locks';


/**
 * Runs pending migrations while holding a PostgreSQL advisory lock on the same connection, so
 * several instances starting together against an empty database migrate it once and all come up.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCKS.startup]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'all';
      const applied = await executor.executePendingMigrations();
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCKS.startup]);
    }
  } finally {
    await runner.release();
  }
}
