import { DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, DatabaseTimeouts } from 'src/database/data-source-options';
import { runMigrations } from 'src/database/migrate';

@Module({})
export class DatabaseModule {
  /**
   * Applies pending migrations (once, under an advisory lock) on a connection of their own with
   * no time bound, then connects the app's pool, whose every wait is bounded.
   */
  static forRoot(url: string, poolSize: number, timeouts: DatabaseTimeouts): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => buildDataSourceOptions(url, poolSize, timeouts),
          dataSourceFactory: async (options) => {
            const migrator = await new DataSource(buildDataSourceOptions(url, 1)).initialize();
            try {
              const applied = await runMigrations(migrator);
              if (applied.length > 0) new Logger(DatabaseModule.name).log({ applied }, 'Applied migrations');
            } finally {
              await migrator.destroy();
            }
            return new DataSource(options!).initialize();
          },
        }),
      ],
    };
  }
}
