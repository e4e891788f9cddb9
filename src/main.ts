// First: a V8 setting that must be in place before the application allocates (see the file).
import 'src/gc-tuning';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { createApp } from 'src/app.factory';
import { AppConfig, ConfigError, loadConfig } from 'src/config/app-config';
import { DatabaseUnusableError, describeDatabaseUrl, preflightDatabase } from 'src/database/database-preflight';
import { DataDirLockedError, EmbeddedDatabase } from 'src/database/embedded-database';
import { assertPortFree, PortInUseError } from 'src/http/port-check';

const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  version: string;
};
const log = new Logger('flagdog');

/** Checks what can be checked before anything is created: configuration, port, database. */
async function preflight(): Promise<void> {
  const config = loadConfig(undefined, { createDevSecret: false });
  await assertPortFree(config.host, config.port);
  if (config.databaseUrl !== null) {
    await preflightDatabase(config.databaseUrl, {
      attempts: 10,
      delayMs: 1500,
      connectTimeoutMs: 5000,
      onRetry: (attempt, attempts, reason) =>
        process.stderr.write(`flagdog: waiting for the database (attempt ${attempt}/${attempts}): ${reason}\n`),
    });
  }
}

const everywhere = (address: AddressInfo): boolean => address.address === '0.0.0.0' || address.address === '::';
const shownHost = (address: AddressInfo): string =>
  address.family === 'IPv6' ? `[${address.address}]` : address.address;

/** Where a browser on this machine reaches the server. */
function browseUrl(address: AddressInfo): string {
  return everywhere(address) ? `http://localhost:${address.port}` : `http://${shownHost(address)}:${address.port}`;
}

function listeningLine(address: AddressInfo): string {
  const browse = browseUrl(address);
  return `listening on ${shownHost(address)}:${address.port}${everywhere(address) ? ' (all interfaces)' : ''}; console ${browse}/admin, API docs ${browse}/api/docs`;
}

function masterSwitchLine(config: AppConfig): string {
  const off = [...config.masterSwitchesOff].sort();
  return off.length === 0
    ? 'master switches: none active'
    : `master switches active (forced off): ${off.map((key) => `FEATURE_${key.toUpperCase()}=false`).join(', ')}`;
}

async function main(): Promise<void> {
  await preflight();
  const config = loadConfig();
  const embedded = config.databaseUrl === null ? await EmbeddedDatabase.start(config.dataDir) : null;
  const app = await createApp(config, { databaseUrl: embedded?.url ?? config.databaseUrl! });
  log.log(`flagdog ${version} on Node ${process.version}`);
  log.log(
    `database: ${embedded ? `embedded PGlite in DATA_DIR=${config.dataDir}` : describeDatabaseUrl(config.databaseUrl!)}`,
  );
  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    log.log(`Received ${signal}; shutting down`);
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
  const address = app.getHttpServer().address() as AddressInfo;
  embedded?.announce(browseUrl(address));
  log.log(masterSwitchLine(config));
  log.log(listeningLine(address));
}

const READABLE = [ConfigError, DataDirLockedError, PortInUseError, DatabaseUnusableError];

main().catch((error: unknown) => {
  if (READABLE.some((type) => error instanceof type)) {
    process.stderr.write(`flagdog cannot start: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(
      `flagdog failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
