import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secureDataDir } from 'src/database/data-dir';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('DATA_DIR is owner-only', () => {
  const umask = process.umask();
  afterEach(() => process.umask(umask));

  it('tightens an existing directory, as PGlite leaves it (files 0666), to 0700/0600', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flagdog-perm-'));
    process.umask(0);
    mkdirSync(join(dataDir, 'pgdata', 'pg_wal'), { recursive: true, mode: 0o777 });
    writeFileSync(join(dataDir, 'pgdata', 'pg_wal', '000000010000000000000001'), 'users and hashes', { mode: 0o666 });
    writeFileSync(join(dataDir, 'jwt-secret'), 'secret', { mode: 0o644 });

    secureDataDir(dataDir);

    for (const dir of [dataDir, join(dataDir, 'pgdata'), join(dataDir, 'pgdata', 'pg_wal')])
      expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'pgdata', 'pg_wal', '000000010000000000000001'))).toBe(0o600);
    expect(modeOf(join(dataDir, 'jwt-secret'))).toBe(0o600);
  });

  it('creates a missing directory 0700, and files created afterwards are owner-only', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'flagdog-perm-')), 'new', 'data');
    secureDataDir(dataDir);
    expect(modeOf(dataDir)).toBe(0o700);
    writeFileSync(join(dataDir, 'later'), 'x', { mode: 0o666 });
    expect(modeOf(join(dataDir, 'later'))).toBe(0o600);
  });
});
