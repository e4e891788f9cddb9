/**
 * Start-up problems a newcomer meets: each is one plain line naming the cause and the fix, the
 * exit code is non-zero, and nothing is created before the port and the database are known good.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, ensureBuilt, MAIN, occupyPort, ROOT, runToExit } from './support/built-app';
import { ADMIN_URL, databaseUrl } from './support/test-database';

const scratch: string[] = [];
const dataDirIn = (): string => {
  const home = mkdtempSync(join(tmpdir(), 'flagdog-startup-'));
  scratch.push(home);
  return join(home, 'data');
};

beforeAll(() => ensureBuilt(), 180_000);
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** One line on stderr, no stack trace, no JSON framework log. */
function expectOneReadableLine(output: { code: number | null; stdout: string; stderr: string }): string {
  expect(output.code).not.toBe(0);
  const lines = output.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^flagdog cannot start: /);
  expect(output.stderr).not.toMatch(/\n\s+at /);
  expect(output.stdout).toBe('');
  return lines[0];
}

describe('start-up errors', () => {
  it('a port in use: one line naming the port and the fix; no DATA_DIR, no admin created', async () => {
    const { port, server } = await occupyPort();
    try {
      const dataDir = dataDirIn();
      const output = runToExit(MAIN, [], cleanEnv({ DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(port) }));
      const line = expectOneReadableLine(output);
      expect(line).toContain(`port ${port}`);
      expect(line).toContain('set PORT');
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      server.close();
    }
  });

  it('a missing database: names the database and host, at once, without retrying and without the password', () => {
    const url = new URL(databaseUrl(ADMIN_URL, 'flagdog_no_such_test_db'));
    url.password = 'hunter2-secret';
    const started = Date.now();
    const output = runToExit(
      MAIN,
      [],
      cleanEnv({ DATABASE_URL: url.toString(), HOST: '127.0.0.1', PORT: '0', JWT_SECRET: 'x'.repeat(32) }),
    );
    const line = expectOneReadableLine(output);
    expect(line).toContain('database "flagdog_no_such_test_db" does not exist');
    expect(line).toContain(`${url.hostname}:${url.port || '5432'}`);
    expect(line).not.toContain('hunter2-secret');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('an unknown host in DATABASE_URL is named', () => {
    const output = runToExit(
      MAIN,
      [],
      cleanEnv({
        DATABASE_URL: 'postgresql://u:pw@no-such-host.invalid:5432/db',
        PORT: '0',
        JWT_SECRET: 'x'.repeat(32),
      }),
    );
    expect(expectOneReadableLine(output)).toContain('"no-such-host.invalid"');
  });

  it('a cron expression out of range names the variable and the field; nothing is created', () => {
    const dataDir = dataDirIn();
    const output = runToExit(MAIN, [], cleanEnv({ DATA_DIR: dataDir, PORT: '0', BETA_MONITOR_CRON: '61 * * * *' }));
    expect(output.code).not.toBe(0);
    expect(output.stderr).toContain('BETA_MONITOR_CRON "61 * * * *": minute 61 is out of range 0-59');
    expect(output.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('a good start-up', () => {
  it('logs a handful of lines at info: version, database, initial password file, master switches, bound address', async () => {
    const dataDir = dataDirIn();
    const { port, server } = await occupyPort();
    await new Promise((resolve) => server.close(resolve));
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: cleanEnv({
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: String(port),
        FEATURE_PASSENGER_FAVORITES_MATCHING: 'false',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    try {
      const deadline = Date.now() + 60_000;
      while (!output.includes('listening on') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const messages = output
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages.length).toBeLessThanOrEqual(8);
      expect(messages).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^flagdog \d+\.\d+\.\d+ on Node v\d+/),
          `database: embedded PGlite in DATA_DIR=${dataDir}`,
          expect.stringContaining(join(dataDir, 'initial-admin-password')),
          'master switches active (forced off): FEATURE_PASSENGER_FAVORITES_MATCHING=false',
          `listening on 127.0.0.1:${port}; console http://127.0.0.1:${port}/admin, API docs http://127.0.0.1:${port}/api/docs`,
        ]),
      );
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
