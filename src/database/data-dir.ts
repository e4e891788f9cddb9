import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Makes DATA_DIR owner-only: the directory and every directory under it 0700, every file 0600.
 * It holds the embedded database (users and password hashes included), the signing secret and
 * the first admin's password. Run when the directory is created or opened, because PGlite
 * writes its files with mode 0666; the process umask is narrowed too, so files it creates later
 * are owner-only from the start.
 */
export function secureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  process.umask(0o077);
  const pending = [dataDir];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    chmodSync(dir, 0o700);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) chmodSync(path, 0o600);
      // Symbolic links and sockets are left alone: chmod would follow a link out of DATA_DIR.
      else if (!lstatSync(path).isSymbolicLink() && !entry.isSocket()) chmodSync(path, 0o600);
    }
  }
}
