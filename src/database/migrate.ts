import { DataSource, MigrationExecutor } from 'typeorm';
import { ADVISORY_LOCKS } from 'src/database/advisory-locks';

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock on the same connection, so
 * several instances starting together against an empty database migrate it once and all come up.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const connection = (await runner.connect()) as { connectionParameters?: { query_timeout?: number | false } };
    // A migration may take longer than a request may wait: lift the bounds for this connection.
    const readTimeout = connection.connectionParameters?.query_timeout;
    if (connection.connectionParameters) connection.connectionParameters.query_timeout = false;
    await runner.query('SET statement_timeout = 0');
    await runner.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCKS.startup]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'all';
      const applied = await executor.executePendingMigrations();
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCKS.startup]);
      await runner.query('RESET statement_timeout');
      if (connection.connectionParameters) connection.connectionParameters.query_timeout = readTimeout;
    }
  } finally {
    await runner.release();
  }
}
