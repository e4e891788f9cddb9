import { DynamicModule, Module, Type } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { PostgresThrottlerStorage } from 'src/auth/login-attempts.storage';
import { loginThrottlers } from 'src/auth/login-throttler.guard';
import type { DestinationStream } from 'pino';
import { AllowlistModule } from 'src/allowlist/allowlist.module';
import { AuthModule } from 'src/auth/auth.module';
import { BetaMonitorModule } from 'src/beta-monitor/beta-monitor.module';
import { GoNoGoModule } from 'src/beta-monitor/go-no-go/go-no-go.module';
import { RollbackModule } from 'src/beta-monitor/rollback/rollback.module';
import { TelemetryModule } from 'src/telemetry/telemetry.module';
import { ChangeFeedModule } from 'src/change-feed/change-feed.module';
import { AppConfig } from 'src/config/app-config';
import { ConfigModule } from 'src/config/config.module';
import { ConsoleModule } from 'src/console/console.module';
import { DatabaseModule } from 'src/database/database.module';
import { FeatureFlagsModule } from 'src/feature-flags/feature-flags.module';
import { HealthModule } from 'src/health/health.module';
import { LoggingModule } from 'src/http/logging.module';
import { MetricsModule } from 'src/metrics/metrics.module';

export type AppOptions = Readonly<{
  databaseUrl: string;
  logStream?: DestinationStream;
  /** More controllers, e.g. the benchmark's reference route; never used in production. */
  extraControllers?: Type[];
}>;

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      controllers: options.extraControllers ?? [],
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, options.logStream),
        DatabaseModule.forRoot(options.databaseUrl, config.databasePoolSize, { ms: config.databaseTimeoutMs }),
        // Login limits live in PostgreSQL, so every instance counts the same attempts.
        ThrottlerModule.forRootAsync({
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => ({
            throttlers: loginThrottlers(config),
            storage: new PostgresThrottlerStorage(dataSource),
          }),
        }),
        ChangeFeedModule,
        AuthModule,
        FeatureFlagsModule,
        AllowlistModule,
        TelemetryModule,
        BetaMonitorModule,
        GoNoGoModule,
        RollbackModule,
        HealthModule,
        MetricsModule,
        ConsoleModule,
      ],
    };
  }
}
