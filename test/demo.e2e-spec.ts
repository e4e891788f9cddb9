import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `npm run demo` (built): the runbook's Phase 1 on the embedded database, ready for its curl lines. */
describe('the runbook demo', () => {
  let demo: ChildProcess;
  let output = '';

  afterAll(async () => {
    if (demo.exitCode === null) {
      const exited = new Promise((resolve) => demo.once('exit', resolve));
      demo.kill('SIGINT');
      await exited;
    }
  });

  it('starts, seeds the runbook, prints working tokens and curl lines, and runs checkpoints on its schedule', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'flagdog-demo-'));
    demo = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'demo.js'), '--phase-minutes', '2'], {
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        BETA_MONITOR_CRON: '*/2 * * * * *',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 45_000;
    while (!output.includes('Ctrl-C stops the demo') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(output).toContain('flagdog demo is running');
    // Quiet: the summary is not buried under log lines, and it is kept in DATA_DIR.
    expect(output).not.toMatch(/^\{"level":\d+,"time"/m);
    expect(readFileSync(join(dataDir, 'README.txt'), 'utf8')).toContain('export BASE=');
    const signIn = /SUPER_ADMIN\s+(\S+@demo\.flagdog\.local)\s+(\S+)/.exec(output)!;
    const base = /export BASE=(\S+) TOKEN=(\S+)/.exec(output)!;
    const [, url, token] = base;
    expect(url).toBe(`http://localhost:${port}`);
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: signIn[1], password: signIn[2] }),
    });
    expect(((await login.json()) as { user: { role: string } }).user.role).toBe('SUPER_ADMIN');
    // The console's address, and the page the runbook links.
    expect(output).toContain(`Console:             ${url}/admin`);
    const page = await fetch(`${url}/admin/beta-monitor/passenger_favorites_matching`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);

    const run = await fetch(`${url}/api/admin/beta-monitor/passenger_favorites_matching/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"phase":"phase1_beta"}',
    });
    expect(run.status).toBe(201);
    expect((await run.json()) as object).toMatchObject({ status: 'PASS', health: 'GREEN', phase: 'phase1_beta' });

    const viewer = /ANGEL_VIEWER token:\s+(\S+)/.exec(output)![1];
    const refused = await fetch(`${url}/api/admin/beta-monitor/passenger_favorites_matching/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
      body: '{"phase":"phase1_beta"}',
    });
    expect(refused.status).toBe(403);

    let scheduled = 0;
    while (scheduled === 0 && Date.now() < deadline + 10_000) {
      const list = await fetch(`${url}/api/admin/beta-monitor/passenger_favorites_matching/checkpoints?limit=50`, {
        headers: { authorization: `Bearer ${viewer}` },
      });
      scheduled = ((await list.json()) as { items: { trigger: string }[] }).items.filter(
        (item) => item.trigger === 'scheduled',
      ).length;
      if (scheduled === 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(scheduled).toBeGreaterThan(0);

    // The simulated matching backend's telemetry (sent every second with its own token) reaches the checkpoints.
    type Traffic = { treatment: { total: number }; control: { total: number } };
    const measure = async (): Promise<Traffic> => {
      const again = await fetch(`${url}/api/admin/beta-monitor/passenger_favorites_matching/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"phase":"phase1_beta","dryRun":true}',
      });
      return ((await again.json()) as { metrics: { http: Traffic } }).metrics.http;
    };
    let traffic = await measure();
    for (let tries = 0; traffic.treatment.total === 0 && tries < 20; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      traffic = await measure();
    }
    expect(traffic.control.total).toBeGreaterThan(0);
    expect(traffic.treatment.total).toBeGreaterThan(0);

    const goNoGo = await fetch(`${url}/api/admin/beta-monitor/passenger_favorites_matching/go-no-go`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const view = (await goNoGo.json()) as { decision: string; startedAt: string; dueAt: string };
    expect(view.decision).toBe('PENDING');
    expect(output).toContain('/go-no-go/checklist/MATCHING_SUCCESS_RATE');
    // --phase-minutes 2: the summary says when the two-minute phase's go/no-go is due, and how to sign and advance.
    expect(Date.parse(view.dueAt) - Date.parse(view.startedAt)).toBe(2 * 60_000);
    expect(output).toContain(`phase1_beta started ${view.startedAt}, lasts at least 2 min; go/no-go due ${view.dueAt}`);
    expect(output).toMatch(/for item in MATCHING_SUCCESS_RATE TIME_TO_MATCH .*go-no-go\/checklist\/\$item/);
    expect(output).toMatch(/curl -X POST \S+\/advance -H "Authorization: Bearer \$ADMIN_TOKEN"/);

    const flag = await fetch(`${url}/api/admin/feature-flags/passenger_favorites_matching`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect((await flag.json()) as object).toMatchObject({ enabled: true, rolloutPercentage: 0, allowlistCount: 10 });
  });
});
