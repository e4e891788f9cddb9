/**
 * A 202 from the telemetry intake means durable: the BUILT app (`node dist/src/main.js`) runs as a
 * child process, takes a burst of telemetry on several connections, and is killed with SIGKILL
 * the moment enough batches are acknowledged. After a restart on the same database every
 * acknowledged event is counted by a checkpoint. On PostgreSQL the test uses the harness
 * database; on PGlite (TEST_DATABASE=pglite) the app's own embedded database in a new DATA_DIR.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { FLAG, setUpPhase1 } from './support/runbook';
import { telemetryToken } from './support/telemetry';
import { ADMIN_EMAIL, ADMIN_PASSWORD, login, TEST_JWT_SECRET } from './support/test-app';
import { createTestDatabase, TEST_DATABASE, TestDatabase } from './support/test-database';
import { ensureBuilt, freePort, MAIN, ROOT } from './support/built-app';

const BATCH = 500;
const CONNECTIONS = 8;
/** Acknowledged events after which the process is killed. */
const KILL_AFTER = 20_000;

type Running = {
  child: ChildProcess;
  url: string;
  exited: Promise<NodeJS.Signals | number | null>;
  output: () => string;
};

async function start(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`flagdog exited before it was ready:\n${output}`);
    const status = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) throw new Error(`flagdog was not ready within 60 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, url, exited, output: () => output };
}

const events = (at: string) =>
  Array.from({ length: BATCH }, (_, i) => ({
    type: 'http',
    featureKey: FLAG,
    variant: 'on',
    route: '/match',
    statusCode: i % 50 === 0 ? 503 : 200,
    latencyMs: 20 + (i % 40),
    at,
  }));

/**
 * Posts batches on CONNECTIONS connections until the process dies; kills it with SIGKILL right
 * after the answer that brings the acknowledged events to KILL_AFTER. Returns what was acknowledged
 * and what was sent without an answer (it may or may not have been stored).
 */
async function burstUntilKilled(
  running: Running,
  token: string,
): Promise<{ acknowledged: number; unanswered: number }> {
  let acknowledged = 0;
  let unanswered = 0;
  let killed = false;
  const body = JSON.stringify({ events: events(new Date().toISOString()) });
  const sender = async (): Promise<void> => {
    while (!killed) {
      try {
        const response = await fetch(`${running.url}/api/telemetry/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': token },
          body,
        });
        const answer = (await response.json()) as { accepted?: number };
        if (response.status !== 202)
          throw new Error(`telemetry answered ${response.status}: ${JSON.stringify(answer)}`);
        acknowledged += answer.accepted!;
        if (acknowledged >= KILL_AFTER && !killed) {
          killed = true;
          running.child.kill('SIGKILL');
        }
      } catch (error) {
        if (!killed) throw error;
        unanswered += BATCH;
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, sender));
  return { acknowledged, unanswered };
}

const scratch: string[] = [];
const running: Running[] = [];

beforeAll(() => ensureBuilt(), 180_000);
afterAll(async () => {
  for (const { child } of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('acknowledged telemetry survives kill -9 (built app)', () => {
  let database: TestDatabase | null = null;
  afterAll(async () => database?.drop());

  it('counts every acknowledged event after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flagdog-crash-'));
    scratch.push(dataDir);
    const env: Record<string, string> = {
      DATA_DIR: dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
      BETA_MONITOR_SCHEDULE_ENABLED: 'false',
      TELEMETRY_RATE_LIMIT: '10000000',
    };
    if (TEST_DATABASE === 'postgres') {
      database = await createTestDatabase();
      env.DATABASE_URL = database.url;
    }
    const first = await start(env);
    running.push(first);
    const http = request(first.url);
    const admin = await login(http, ADMIN_EMAIL, ADMIN_PASSWORD);
    await setUpPhase1(http, admin);
    const token = await telemetryToken(http, admin);

    const { acknowledged, unanswered } = await burstUntilKilled(first, token);
    expect(await first.exited).toBe('SIGKILL');
    expect(acknowledged).toBeGreaterThanOrEqual(KILL_AFTER);

    const second = await start(env);
    running.push(second);
    const again = request(second.url);
    const checkpoint = await again
      .post(`/api/admin/beta-monitor/${FLAG}/run`)
      .auth(await login(again, ADMIN_EMAIL, ADMIN_PASSWORD), { type: 'bearer' })
      .send({ phase: 'phase1_beta' })
      .expect(201);
    const counted: number = checkpoint.body.metrics.http.treatment.total;
    // Every acknowledged event is there; at most the unanswered ones besides (committed, then killed before the answer).
    expect(counted).toBeGreaterThanOrEqual(acknowledged);
    expect(counted).toBeLessThanOrEqual(acknowledged + unanswered);
    expect(counted % BATCH).toBe(0);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 150_000);
});
