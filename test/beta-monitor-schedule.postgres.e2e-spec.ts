import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { FLAG, setUpPhase1 } from './support/runbook';
import { ADMIN_EMAIL, ADMIN_PASSWORD, LogCapture, login, startInstance, TEST_JWT_SECRET } from './support/test-app';
import { createTestDatabase, TestDatabase, withClient } from './support/test-database';

const ROOT = join(__dirname, '..');

function cli(
  args: string[],
  databaseUrl: string,
  bin = 'beta-monitor-dog.js',
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin', bin), ...args],
      {
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: databaseUrl,
          JWT_SECRET: TEST_JWT_SECRET,
          LOG_LEVEL: 'info',
          BETA_MONITOR_SCHEDULE_ENABLED: 'false',
          ...extraEnv,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Scheduled checkpoints and the CLI, on PostgreSQL shared by several instances. */
describe('beta monitor schedule and CLI', () => {
  let database: TestDatabase;
  const apps: NestFastifyApplication[] = [];
  // Several apps share one process here; Nest's and pino's loggers are process-wide, so a line
  // may land in any instance's capture.
  const captures: LogCapture[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const { app, logs } = await startInstance(database);
    apps.push(app);
    captures.push(logs);
    const http = request(app.getHttpServer());
    await setUpPhase1(http, await login(http, ADMIN_EMAIL, ADMIN_PASSWORD));
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await database.drop();
  });

  it('runs exactly one scheduled checkpoint per slot across three instances', async () => {
    const env = { BETA_MONITOR_SCHEDULE_ENABLED: 'true', BETA_MONITOR_CRON: '*/2 * * * * *' };
    const scheduled = await Promise.all([1, 2, 3].map(() => startInstance(database, env)));
    apps.push(...scheduled.map(({ app }) => app));
    captures.push(...scheduled.map(({ logs }) => logs));
    await new Promise((resolve) => setTimeout(resolve, 7000));
    const rows: { checkpoint_label: string; n: number }[] = await withClient(
      database.url,
      async (client) =>
        (
          await client.query(
            `SELECT checkpoint_label, count(*)::int AS n FROM beta_monitor_checkpoints WHERE trigger = 'scheduled' GROUP BY 1 ORDER BY 1`,
          )
        ).rows,
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((row) => row.n === 1)).toBe(true);
    expect(rows[0].checkpoint_label).toMatch(/^scheduled-\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const lines = captures
      .flatMap((capture) => capture.text().split('\n'))
      .filter((line) => line.includes('"msg":"Beta Monitor Dog checkpoint"'))
      .map((line) => JSON.parse(line));
    const logged = new Set(lines.map((line) => line.checkpoint_label));
    for (const row of rows) expect(logged.has(row.checkpoint_label)).toBe(true);
    expect(lines.length).toBe(logged.size);
    expect(lines[0]).toMatchObject({
      feature_key: FLAG,
      phase: 'phase1_beta',
      status: 'PASS',
      alerts: [],
      duration_ms: expect.any(Number),
    });
  });

  it('CLI: prints a report and exits 0 on PASS, 2 on FAIL (with --json), 3 when it cannot run', async () => {
    const pass = await cli([FLAG, '--phase', 'phase1_beta'], database.url);
    expect(pass.code).toBe(0);
    expect(pass.stdout).toContain('status PASS (GREEN)');
    // It names what it checked (never the password), and is quiet unless asked.
    const where = new URL(database.url);
    expect(pass.stdout).toContain(
      `checked PostgreSQL database "${where.pathname.slice(1)}" on ${where.hostname}:${where.port}`,
    );
    expect(pass.stderr).toBe('');
    const http = request(apps[0].getHttpServer());
    const admin = await login(http, ADMIN_EMAIL, ADMIN_PASSWORD);
    await http
      .put(`/api/admin/feature-flags/${FLAG}`)
      .auth(admin, { type: 'bearer' })
      .send({ enabled: true, rolloutPercentage: 5 })
      .expect(200);
    const fail = await cli([FLAG, '--json', '--verbose'], database.url);
    expect(fail.code).toBe(2);
    const logged = fail.stderr.split('\n').find((line) => line.includes('"msg":"Beta Monitor Dog checkpoint"'));
    expect(JSON.parse(logged ?? '{}')).toMatchObject({ feature_key: FLAG, status: 'FAIL', trigger: 'cli' });
    expect(JSON.parse(fail.stdout)).toMatchObject({
      checked: { source: expect.stringContaining('PostgreSQL database'), dryRun: false },
      status: 'FAIL',
      trigger: 'cli',
      alerts: expect.arrayContaining([expect.objectContaining({ code: 'CONFIG_DRIFT' })]),
    });
    // --dry-run looks without writing: no checkpoint row, no alert, the same verdict.
    const count = () =>
      withClient(
        database.url,
        async (client) =>
          (await client.query("SELECT count(*)::int AS n FROM beta_monitor_checkpoints WHERE trigger <> 'scheduled'"))
            .rows[0].n as number,
      );
    const before = await count();
    const dry = await cli([FLAG, '--dry-run'], database.url);
    expect([dry.code, await count()]).toEqual([2, before]);
    expect(dry.stdout).toContain('dry run: nothing stored, no alert, no rollback');
    // Through a running flagdog, as "Executar agora" would: FLAGDOG_URL and an OPERATOR token.
    const url = await apps[0].getUrl();
    const token = await login(http, ADMIN_EMAIL, ADMIN_PASSWORD);
    const remote = await cli(
      [FLAG, '--dry-run', '--json'],
      'postgresql://nobody@127.0.0.1:1/none',
      'beta-monitor-dog.js',
      {
        FLAGDOG_URL: url,
        FLAGDOG_TOKEN: token,
      },
    );
    expect([remote.code, JSON.parse(remote.stdout).checked.source, await count()]).toEqual([
      2,
      `flagdog at ${url}`,
      before,
    ]);
    const refused = await cli([FLAG], database.url, 'beta-monitor-dog.js', {
      FLAGDOG_URL: url,
      FLAGDOG_TOKEN: 'not-a-token',
    });
    expect([refused.code, refused.stderr]).toEqual([3, expect.stringContaining('answered 401')]);
    const unknown = await cli(['no_such_flag'], database.url);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('no_such_flag');
    expect((await cli([], database.url)).code).toBe(3);
    const viaFlagdog = await cli(['checkpoint', FLAG, '--json'], database.url, 'flagdog.js');
    expect([viaFlagdog.code, JSON.parse(viaFlagdog.stdout).status]).toEqual([2, 'FAIL']);
    const seeded = await cli(['seed-runbook'], database.url, 'flagdog.js');
    expect([seeded.code, seeded.stdout]).toEqual([0, expect.stringContaining('exists; left as it is')]);
    const help = await cli(['--help'], database.url);
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('Exit codes')]);
  });

  it('CLI: sees the evaluations the instances answered (written within seconds) and says TELEMETRY_MISSING', async () => {
    const http = request(apps[0].getHttpServer());
    const admin = await login(http, ADMIN_EMAIL, ADMIN_PASSWORD);
    const key = 'cli_served_flag';
    await http.post('/api/admin/feature-flags').auth(admin, { type: 'bearer' }).send({ key }).expect(201);
    const phase = { name: 'full', expected: { enabled: true, rolloutPercentage: 100, allowlistCount: 0 } };
    await http
      .put(`/api/admin/beta-monitor/${key}/phases`)
      .auth(admin, { type: 'bearer' })
      .send({ phases: [phase] })
      .expect(200);
    await http
      .post(`/api/admin/beta-monitor/${key}/phases/full/start`)
      .auth(admin, { type: 'bearer' })
      .send({})
      .expect(200);
    // Evaluated 12 times on two instances, with no telemetry from the application.
    const second = await startInstance(database);
    apps.push(second.app);
    const instances = [apps[0], second.app];
    for (let i = 0; i < 12; i++) {
      const instance = request(instances[i % 2].getHttpServer());
      const answer = await instance
        .get(`/api/feature-flags/${key}/evaluate`)
        .query({ subjectId: `rider-${i}` })
        .auth(admin, { type: 'bearer' })
        .expect(200);
      expect(answer.body.enabled).toBe(true);
    }
    const stored = () =>
      withClient(database.url, async (client) =>
        Number(
          (
            await client.query(
              'SELECT coalesce(sum(served_on), 0) AS n FROM evaluation_minutes WHERE feature_key = $1',
              [key],
            )
          ).rows[0].n,
        ),
      );
    for (let i = 0; i < 100 && (await stored()) < 12; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await stored()).toBe(12);
    const warned = await cli([key, '--json'], database.url);
    expect(warned.code).toBe(1);
    const checkpoint = JSON.parse(warned.stdout);
    expect(checkpoint).toMatchObject({
      status: 'WARN',
      health: 'YELLOW',
      coverage: { evaluationsOn: 12, evaluationsOff: 0, treatmentRequests: 0, noTraffic: false },
      alerts: [expect.objectContaining({ code: 'TELEMETRY_MISSING', severity: 'WARN' })],
    });
    const text = await cli([key, '--dry-run'], database.url);
    expect(text.stdout).toContain('coverage served ON 12 / OFF 0');
  });
});
