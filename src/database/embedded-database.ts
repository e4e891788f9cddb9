import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { secureDataDir } from 'src/database/data-dir';

export class DataDirLockedError extends Error {
  constructor(
    message: string,
    readonly dataDir?: string,
  ) {
    super(message);
  }
}

/**
 * The embedded default database: PGlite (PostgreSQL in WebAssembly) with its data under
 * DATA_DIR, served on a loopback port by pglite-socket so the ordinary `pg` driver and the same
 * migrations work unchanged. PGlite has one session, hence one connection (see ADR 0002).
 */
export class EmbeddedDatabase {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly lockFile: string | null,
    readonly url: string,
    private readonly dataDir: string | null,
  ) {}

  /** Opens (or creates) the database in `dataDir`, or a throwaway in-memory one when null. */
  static async start(dataDir: string | null): Promise<EmbeddedDatabase> {
    if (dataDir !== null) secureDataDir(dataDir);
    const lockFile = dataDir === null ? null : acquireLock(dataDir);
    try {
      const db = await PGlite.create(dataDir === null ? undefined : join(dataDir, 'pgdata'));
      const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
      await server.start();
      const url = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
      return new EmbeddedDatabase(db, server, lockFile, url, dataDir);
    } catch (error) {
      if (lockFile !== null) rmSync(lockFile, { force: true });
      throw error;
    }
  }

  /**
   * Records where the server holding this DATA_DIR answers, so a command-line tool that finds
   * the directory locked can say where to go instead (`DATA_DIR/server.json`, mode 0600).
   */
  announce(url: string): void {
    if (this.lockFile === null) return;
    writeFileSync(join(dirname(this.lockFile), SERVER_FILE), `${JSON.stringify({ pid: process.pid, url })}\n`, {
      mode: 0o600,
    });
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
    if (this.dataDir !== null) secureDataDir(this.dataDir);
    if (this.lockFile !== null) {
      rmSync(join(dirname(this.lockFile), SERVER_FILE), { force: true });
      rmSync(this.lockFile, { force: true });
    }
  }
}

const SERVER_FILE = 'server.json';

/** The address of the flagdog server that holds `dataDir`, when one announced itself and still runs. */
export function runningServerOf(dataDir: string): { pid: number; url: string } | null {
  try {
    const server = JSON.parse(readFileSync(join(dataDir, SERVER_FILE), 'utf8')) as { pid: number; url: string };
    return Number.isInteger(server.pid) && typeof server.url === 'string' && isAlive(server.pid) ? server : null;
  } catch {
    return null;
  }
}

/** One process per data directory: PGlite itself does not stop a second one from corrupting it. */
function acquireLock(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = join(dataDir, 'flagdog.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    // Written aside, then hard-linked into place: the lock appears atomically with its pid in it.
    const candidate = `${lockFile}.${process.pid}`;
    writeFileSync(candidate, String(process.pid), { mode: 0o600 });
    try {
      linkSync(candidate, lockFile);
      return lockFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new DataDirLockedError(
          `DATA_DIR ${dataDir} is in use by another flagdog process (pid ${holder}). ` +
            'Stop it, or point DATA_DIR elsewhere, or set DATABASE_URL to share a PostgreSQL database.',
          dataDir,
        );
      }
      rmSync(lockFile, { force: true });
    } finally {
      rmSync(candidate, { force: true });
    }
  }
  throw new DataDirLockedError(`Could not take the lock file ${lockFile}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
