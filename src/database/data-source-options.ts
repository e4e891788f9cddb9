import { DataSourceOptions } from 'typeorm';
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
import { ServiceTokenPermissions1765300000000 } from 'src/database/migrations/1765300000000-ServiceTokenPermissions';

export const ENTITIES = [UserEntity, ServiceTokenEntity, FeatureFlagEntity, AllowlistEntryEntity, AuditEventEntity];
export const MIGRATIONS = [
  Foundation1764400000000,
  ChangeFeed1764500000000,
  Telemetry1764600000000,
  BetaMonitor1764700000000,
  GoNoGo1764800000000,
  AlertOutbox1764900000000,
  ServiceTokenPermissions1765300000000,
];

/** The one builder of DataSource options, used by the app, the migration command and ormconfig.ts. */
export function buildDataSourceOptions(url: string, poolSize: number): DataSourceOptions {
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
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      application_name: 'flagdog',
    },
  };
}
