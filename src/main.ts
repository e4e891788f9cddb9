import { Logger } from '@nestjs/common';
import { createApp } from 'src/app.factory';
import { ConfigError, loadConfig } from 'src/config/app-config';
import { DataDirLockedError, EmbeddedDatabase } from 'src/database/embedded-database';

async function main(): Promise<void> {
  const config = loadConfig();
  const embedded = config.databaseUrl === null ? await EmbeddedDatabase.start(config.dataDir) : null;
  const app = await createApp(config, { databaseUrl: embedded?.url ?? config.databaseUrl! });
  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    new Logger('flagdog').log(`Received ${signal}; shutting down`);
    try {
      await app.close();
    } finally {
      await embedded?.stop();
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  const database = embedded ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  new Logger('flagdog').log(`flagdog listening on ${await app.getUrl()} with ${database}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    process.stderr.write(`flagdog cannot start. ${error.message}\n`);
  } else {
    process.stderr.write(`flagdog failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
