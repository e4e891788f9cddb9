import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { destination } from 'pino';
import { AppModule } from 'src/app.module';
import { AppConfig, loadConfig, LogLevel } from 'src/config/app-config';
import { AppLogger } from 'src/http/logging';
import { quietFrameworkLogger } from 'src/http/quiet-framework-logger';
import { EmbeddedDatabase } from 'src/database/embedded-database';

/**
 * The app without HTTP, for command-line tools: on the configured database (or the embedded one
 * in DATA_DIR, which then must not be open in a running server), schedule off, logs on stderr.
 */
export async function withAppContext<T>(
  work: (app: INestApplicationContext, config: AppConfig) => Promise<T>,
  options: { logLevel?: LogLevel } = {},
): Promise<T> {
  const loaded = loadConfig();
  const config = Object.freeze({
    ...loaded,
    logLevel: options.logLevel ?? loaded.logLevel,
    betaMonitor: Object.freeze({ ...loaded.betaMonitor, scheduleEnabled: false }),
  });
  const embedded = config.databaseUrl === null ? await EmbeddedDatabase.start(config.dataDir) : null;
  try {
    const app = await NestFactory.createApplicationContext(
      AppModule.forRoot(config, { databaseUrl: embedded?.url ?? config.databaseUrl!, logStream: destination(2) }),
      { bufferLogs: true },
    );
    app.useLogger(quietFrameworkLogger(app.get(AppLogger)));
    try {
      return await work(app, config);
    } finally {
      await app.close();
    }
  } finally {
    await embedded?.stop();
  }
}
