import { DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, DatabaseTimeouts } from 'src/database/data-source-options';
import { runMigrations } from 'src/database/migrate';

@Module({})
export class DatabaseModule {
  /**
   * Connects (every wait bounded by `timeouts`), then applies pending migrations (once, under an
   * advisory lock, with the bounds lifted for that connection) before anything reads.
   */
  static forRoot(url: string, poolSize: number, timeouts: DatabaseTimeouts): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          // `npm start` checks the database first (database-preflight.ts), so a wrong URL never gets
          // here; a few short retries cover a connection that is still being let go (the embedded
          // database takes one at a time) instead of TypeORM's default of nine over half a minute.
          useFactory: () => ({
            ...buildDataSourceOptions(url, poolSize, timeouts),
            retryAttempts: 3,
            retryDelay: 1000,
          }),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            const applied = await runMigrations(dataSource);
            if (applied.length > 0) new Logger(DatabaseModule.name).log({ applied }, 'Applied migrations');
            return dataSource;
          },
        }),
      ],
    };
  }
}
