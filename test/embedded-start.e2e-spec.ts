/**
 * A newcomer's first start: the BUILT app (`node dist/src/main.js`) as a child process, on a new
 * DATA_DIR, with no DATABASE_URL and a clean environment. It does not use the harness database.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, ensureBuilt, freePort, MAIN } from './support/built-app';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

type Started = Readonly<{
  child: ChildProcess;
  port: number;
  output: () => { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}>;

const running = new Set<ChildProcess>();
const transcripts: string[] = [];

function startApp(env: NodeJS.ProcessEnv, port: number, cwd: string): Started {
  const child = spawn(process.execPath, [MAIN], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const output = () => ({ stdout, stderr });
  void exited.then(() => transcripts.push(stdout, stderr));
  return { child, port, output, exited };
}

async function get(port: number, path: string): Promise<number | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return null;
  }
}

/** Polls until the path answers 200; fails early, with the output, if the process exits. */
async function waitFor200(app: Started, path: string, deadline: number): Promise<void> {
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void app.exited.then((result) => (exit = result));
  for (;;) {
    if (exit !== null) {
      const { stdout, stderr } = app.output();
      throw new Error(`flagdog exited (${JSON.stringify(exit)}) before ${path} answered 200:\n${stdout}\n${stderr}`);
    }
    if ((await get(app.port, path)) === 200) return;
    if (Date.now() > deadline) {
      const { stdout, stderr } = app.output();
      throw new Error(`${path} did not answer 200 within ${READY_TIMEOUT_MS} ms:\n${stdout}\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts the built app and returns once /health/ready and /health/live answer 200, with the time it took. */
async function startReady(env: NodeJS.ProcessEnv, cwd: string): Promise<{ app: Started; readyMs: number }> {
  const port = await freePort();
  const startedAt = performance.now();
  const app = startApp({ ...env, PORT: String(port) }, port, cwd);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  await waitFor200(app, '/health/ready', deadline);
  const readyMs = performance.now() - startedAt;
  await waitFor200(app, '/health/live', deadline);
  return { app, readyMs };
}

async function login(
  port: number,
  email: string,
  password: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function stop(app: Started): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const startedAt = performance.now();
  app.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
  const result = await Promise.race([app.exited, timeout]);
  if (result === 'timeout') {
    const { stdout, stderr } = app.output();
    throw new Error(`flagdog did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM:\n${stdout}\n${stderr}`);
  }
  return { ...result, ms: performance.now() - startedAt };
}

/** Runs the built app to completion (for start-ups that must fail). */
async function runToExit(
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const app = startApp(env, 0, cwd);
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000).unref());
  const result = await Promise.race([app.exited, timeout]);
  if (result === 'timeout') {
    app.child.kill('SIGKILL');
    throw new Error(`flagdog did not exit within 30 s:\n${app.output().stdout}\n${app.output().stderr}`);
  }
  return { code: result.code, ...app.output() };
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

const scratch: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

beforeAll(() => ensureBuilt(), 180_000);

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('first start on the embedded default (built app, clean environment)', () => {
  let home: string;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let first: Started;
  let password: string;
  let jwtSecret: string;
  const coldStart: { newDataDirMs?: number; existingDataDirMs?: number } = {};

  beforeAll(() => {
    home = tempDir('flagdog-first-start-');
    dataDir = join(home, 'data');
    env = cleanEnv({ DATA_DIR: dataDir, HOST: '127.0.0.1' });
  });

  afterAll(() => {
    console.log(
      `flagdog cold start to the first 200 from /health/ready (built app, embedded PGlite): ` +
        `new DATA_DIR ${coldStart.newDataDirMs?.toFixed(0) ?? '?'} ms, ` +
        `existing DATA_DIR ${coldStart.existingDataDirMs?.toFixed(0) ?? '?'} ms`,
    );
  });

  it('comes up on a new DATA_DIR: /health/live and /health/ready answer 200', async () => {
    const { app, readyMs } = await startReady(env, home);
    first = app;
    coldStart.newDataDirMs = readyMs;
    expect(existsSync(join(dataDir, 'flagdog.lock'))).toBe(true);
  }, 90_000);

  it('writes the initial admin password to DATA_DIR/initial-admin-password (0600) and logs the path, never the password', () => {
    const file = join(dataDir, 'initial-admin-password');
    expect(existsSync(file)).toBe(true);
    expect(mode(file)).toBe(0o600);
    password = readFileSync(file, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(16);
    const { stdout, stderr } = first.output();
    expect(stdout + stderr).toContain(file);
    expect(stdout).not.toContain(password);
    expect(stderr).not.toContain(password);
  });

  it('logs in as admin@localhost with that password', async () => {
    const ok = await login(first.port, 'admin@localhost', password);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ tokenType: 'Bearer', user: { email: 'admin@localhost', role: 'SUPER_ADMIN' } });
    const wrong = await login(first.port, 'admin@localhost', `${password}x`);
    expect(wrong.status).toBe(401);
  });

  it('keeps a generated JWT secret in DATA_DIR/jwt-secret (0600) and never prints it', () => {
    const file = join(dataDir, 'jwt-secret');
    expect(existsSync(file)).toBe(true);
    expect(mode(file)).toBe(0o600);
    jwtSecret = readFileSync(file, 'utf8').trim();
    expect(Buffer.byteLength(jwtSecret)).toBeGreaterThanOrEqual(32);
    const { stdout, stderr } = first.output();
    expect(stdout).not.toContain(jwtSecret);
    expect(stderr).not.toContain(jwtSecret);
  });

  it('refuses a second process on the same DATA_DIR with "in use", leaving the first untouched', async () => {
    const port = await freePort();
    const second = await runToExit({ ...env, PORT: String(port) }, home);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain('in use');
    expect(second.stderr).toContain(dataDir);
    expect(second.stdout + second.stderr).not.toContain(password);
    expect(second.stdout + second.stderr).not.toContain(jwtSecret);

    expect(first.child.exitCode).toBeNull();
    expect(readFileSync(join(dataDir, 'flagdog.lock'), 'utf8').trim()).toBe(String(first.child.pid));
    expect(await get(first.port, '/health/ready')).toBe(200);
    expect((await login(first.port, 'admin@localhost', password)).status).toBe(200);
  }, 60_000);

  it('exits 0 within 10 s of SIGTERM and removes DATA_DIR/flagdog.lock', async () => {
    const result = await stop(first);
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(existsSync(join(dataDir, 'flagdog.lock'))).toBe(false);
    const { stdout, stderr } = first.output();
    expect(stdout + stderr).not.toContain(password);
    expect(stdout + stderr).not.toContain(jwtSecret);
  }, 20_000);

  it('restarts on the same DATA_DIR with its data: the admin logs in again, no new password is written', async () => {
    const passwordFile = join(dataDir, 'initial-admin-password');
    const before = { mtimeMs: statSync(passwordFile).mtimeMs, content: readFileSync(passwordFile, 'utf8') };
    const secretBefore = readFileSync(join(dataDir, 'jwt-secret'), 'utf8');

    const { app, readyMs } = await startReady(env, home);
    coldStart.existingDataDirMs = readyMs;
    try {
      expect((await login(app.port, 'admin@localhost', password)).status).toBe(200);
      expect(statSync(passwordFile).mtimeMs).toBe(before.mtimeMs);
      expect(readFileSync(passwordFile, 'utf8')).toBe(before.content);
      expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8')).toBe(secretBefore);
      const { stdout, stderr } = app.output();
      expect(stdout + stderr).not.toContain('Created the first SUPER_ADMIN');
    } finally {
      const result = await stop(app);
      expect(result).toMatchObject({ code: 0, signal: null });
    }
    expect(existsSync(join(dataDir, 'flagdog.lock'))).toBe(false);
    for (const text of transcripts) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(jwtSecret);
    }
  }, 90_000);
});

describe('start-up refusals for bad configuration', () => {
  it('refuses NODE_ENV=production without JWT_SECRET, naming JWT_SECRET', async () => {
    const home = tempDir('flagdog-bad-config-');
    const result = await runToExit(
      cleanEnv({
        NODE_ENV: 'production',
        DATA_DIR: join(home, 'data'),
        HOST: '127.0.0.1',
        PORT: String(await freePort()),
      }),
      home,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('JWT_SECRET');
    expect(existsSync(join(home, 'data', 'jwt-secret'))).toBe(false);
  }, 40_000);

  it('reports several invalid variables in one message', async () => {
    const home = tempDir('flagdog-bad-config-');
    const result = await runToExit(
      cleanEnv({ DATA_DIR: join(home, 'data'), HOST: '127.0.0.1', PORT: 'abc', LOG_LEVEL: 'loud', JWT_TTL: 'soon' }),
      home,
    );
    expect(result.code).not.toBe(0);
    const message = /flagdog cannot start: [\s\S]*/.exec(result.stderr)?.[0] ?? '';
    expect(message).toContain('PORT');
    expect(message).toContain('"abc"');
    expect(message).toContain('LOG_LEVEL');
    expect(message).toContain('"loud"');
    expect(message).toContain('JWT_TTL');
    expect(result.stderr.match(/flagdog cannot start/g)).toHaveLength(1);
  }, 40_000);
});
