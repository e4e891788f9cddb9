import { Client } from 'pg';
import { DataSource, DataSourceOptions, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { AllowlistEntryEntity } from 'src/allowlist/allowlist-entry.entity';
import { AuditEventEntity } from 'src/audit/audit-event.entity';
import { ServiceTokenEntity } from 'src/auth/service-token.entity';
import { UserEntity } from 'src/auth/user.entity';
import { FeatureFlagEntity } from 'src/feature-flags/feature-flag.entity';
import { Foundation1764400000000 } from 'src/database/migrations/1764400000000-Foundation';
import { ChangeFeed1764500000000 } from 'src/database/migrations/1764500000000-ChangeFeed';
import { Telemetry1764600000000 } from 'src/database/migrations/1764600000000-Telemetry';
import { BetaMonitor1764700000000 } from 'src/database/migrations/1764700000000-BetaMonitor';
import { GoNoGo1764800000000 } from 'src/database/migrations/1764800000000-GoNoGo';
import { AlertOutbox1764900000000 } from 'src/database/migrations/1764900000000-AlertOutbox';
import { SharedLoginLimits1765400000000 } from 'src/database/migrations/1765400000000-SharedLoginLimits';
import { ServiceTokenPermissions1765300000000 } from 'src/database/migrations/1765300000000-ServiceTokenPermissions';
import { AlertDismissals1765700000000 } from 'src/database/migrations/1765700000000-AlertDismissals';

export const ENTITIES = [UserEntity, ServiceTokenEntity, FeatureFlagEntity, AllowlistEntryEntity, AuditEventEntity];
export const MIGRATIONS = [
  Foundation1764400000000,
  ChangeFeed1764500000000,
  Telemetry1764600000000,
  BetaMonitor1764700000000,
  GoNoGo1764800000000,
  AlertOutbox1764900000000,
  ServiceTokenPermissions1765300000000,
  SharedLoginLimits1765400000000,
  AlertDismissals1765700000000,
];

/**
 * How long flagdog waits for the database, in every form: to connect, for a query's answer
 * (client side, so a black-holed network is bounded too), for a statement to run (server side)
 * and for an idle transaction (server side, ten times as long). Null means no bound, for the
 * migration run only, whose statements may legitimately take longer.
 */
export type DatabaseTimeouts = Readonly<{ ms: number }> | null;

const READ_TIMEOUT = 'Query read timeout';

/**
 * The bound for start-up work (loading the snapshot, the first admin, the service tokens): ten
 * times DATABASE_TIMEOUT_MS, at least 30 s. Several instances starting at once on a loaded
 * machine can take longer than the request bound for these one-off reads, and failing the start
 * for it helps nobody; requests keep the short bound.
 */
export function startupTimeoutMs(databaseTimeoutMs: number): number {
  return Math.max(30_000, databaseTimeoutMs * 10);
}

/**
 * Runs start-up work in a transaction on a connection of its own whose bounds are lifted to
 * `ms` for the duration (client side on that connection only, server side for the transaction).
 */
export async function inStartupTransaction<T>(
  dataSource: DataSource,
  ms: number,
  work: (manager: EntityManager) => Promise<T>,
  isolation?: IsolationLevel,
): Promise<T> {
  const run = async (manager: EntityManager): Promise<T> => {
    // pg reads the read timeout from the connection's parameters at each query.
    const parameters = (
      manager.queryRunner as unknown as { databaseConnection?: { connectionParameters?: { query_timeout?: number } } }
    )?.databaseConnection?.connectionParameters;
    const usual = parameters?.query_timeout;
    if (parameters) parameters.query_timeout = ms;
    try {
      await relaxStatementTimeout(manager, ms);
      return await work(manager);
    } finally {
      if (parameters) parameters.query_timeout = usual;
    }
  };
  return isolation === undefined ? dataSource.transaction(run) : dataSource.transaction(isolation, run);
}

/** Lifts this transaction's server-side statement bound to `ms` (PostgreSQL and PGlite). */
export async function relaxStatementTimeout(manager: EntityManager, ms: number): Promise<void> {
  await manager.query(`SELECT set_config('statement_timeout', $1, true)`, [String(ms)]);
}

/**
 * A pg client that discards its connection once a query's answer did not arrive in time. The
 * protocol is sequential, so a connection whose answer is still owed is useless: without this,
 * the pool would hand it out again and every later query on it would wait too.
 */
export class BoundedClient extends Client {
  override query(...args: unknown[]): never {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (error: Error | null, result: unknown) => {
        this.discardAfter(error);
        (last as (error: Error | null, result: unknown) => void)(error, result);
      };
    }
    const result = (Client.prototype.query as (...a: unknown[]) => unknown).apply(this, args);
    if (result instanceof Promise) result.catch((error: unknown) => this.discardAfter(error));
    return result as never;
  }

  private discardAfter(error: unknown): void {
    if (error instanceof Error && error.message === READ_TIMEOUT) {
      (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    }
  }
}

/** The one builder of DataSource options, used by the app, the migration command and ormconfig.ts. */
export function buildDataSourceOptions(
  url: string,
  poolSize: number,
  timeouts: DatabaseTimeouts = null,
): DataSourceOptions {
  const bounds =
    timeouts === null
      ? { connectionTimeoutMillis: 10000 }
      : {
          Client: BoundedClient,
          connectionTimeoutMillis: timeouts.ms,
          query_timeout: timeouts.ms,
          statement_timeout: timeouts.ms,
          idle_in_transaction_session_timeout: timeouts.ms * 10,
        };
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'flagdog_migrations',
    migrationsTransactionMode: 'all',
    migrationsRun: false,
    synchronize: false,
    installExtensions: false,
    logging: false,
    extra: {
      max: poolSize,
      idleTimeoutMillis: 30000,
      // Finds a peer that vanished without a word (a dead host, a dropped NAT entry).
      keepAlive: true,
      keepAliveInitialDelayMillis: 10000,
      application_name: 'flagdog',
      ...bounds,
    },
  };
}
