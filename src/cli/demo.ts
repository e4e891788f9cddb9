import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { AuthService } from 'src/auth/auth.service';
import { Permission, Role } from 'src/auth/permissions';
import { ServiceTokensService } from 'src/auth/service-tokens.service';
import { UsersService } from 'src/auth/users.service';
import { createApp } from 'src/app.factory';
import { goNoGoDueAt } from 'src/beta-monitor/go-no-go/go-no-go';
import { PhasesService } from 'src/beta-monitor/phases/phases.service';
import { RUNBOOK_BETA, RUNBOOK_FLAG, runbookPhases, seedRunbook } from 'src/cli/seed-runbook';
import { loadConfig } from 'src/config/app-config';
import { EmbeddedDatabase } from 'src/database/embedded-database';
import { AppError } from 'src/http/app-error';

const DEMO = { name: 'demo', role: 'SUPER_ADMIN', requestId: null };
const USAGE = `usage: npm run demo -- [--fail-rate <0..1>] [--phase-minutes <1..1440>]
  --fail-rate R       share of the "on" variant's simulated requests that fail with a 5xx (default 0):
                      0.2 turns the beta monitor RED within a checkpoint or two
  --phase-minutes N   the phases last N minutes instead of the runbook's 24 hours, so the go/no-go
                      can reach GO within the demo (e.g. 5); Phase 1's clock starts now`;

export type DemoOptions = Readonly<{ failRate: number; phaseMinutes: number | null }>;

export function parseDemoArguments(argv: string[]): DemoOptions | string {
  let failRate = 0;
  let phaseMinutes: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split('=', 2);
    if (name === '--help' || name === '-h') return USAGE;
    const value = inline ?? argv[++i];
    if (name === '--fail-rate') {
      failRate = Number(value);
      if (value === undefined || !Number.isFinite(failRate) || failRate < 0 || failRate > 1)
        return `--fail-rate must be a number from 0 to 1\n${USAGE}`;
    } else if (name === '--phase-minutes') {
      phaseMinutes = Number(value);
      if (value === undefined || !Number.isInteger(phaseMinutes) || phaseMinutes < 1 || phaseMinutes > 1440)
        return `--phase-minutes must be a whole number of minutes from 1 to 1440\n${USAGE}`;
    } else {
      return `unknown argument ${argv[i]}\n${USAGE}`;
    }
  }
  return { failRate, phaseMinutes };
}

const CHECKLIST = 'MATCHING_SUCCESS_RATE TIME_TO_MATCH API_LATENCY_P95 ZERO_CRITICAL_COMPLAINTS RESOLVER_DETERMINISM';

/**
 * Demo data found from an earlier run gets the short phases too, and its active phase a fresh
 * clock: otherwise the hours the demo was stopped would count as missed checkpoints.
 */
async function shortenPhases(app: INestApplicationContext, phaseMinutes: number): Promise<void> {
  const phases = app.get(PhasesService);
  const actor = { name: DEMO.name, role: DEMO.role, requestId: null };
  const active = (await phases.find(RUNBOOK_FLAG))?.name ?? 'phase1_beta';
  await phases.replace(actor, RUNBOOK_FLAG, {
    phases: runbookPhases(phaseMinutes),
    reason: `demo: phases of ${phaseMinutes} minutes`,
  });
  const principal = { kind: 'service' as const, id: 'demo', name: DEMO.name, role: 'SUPER_ADMIN' as const };
  await phases.start(
    principal,
    actor,
    RUNBOOK_FLAG,
    active,
    `demo: ${active} restarted with ${phaseMinutes}-minute phases`,
  );
}

/** "Phase phase1_beta started …; go/no-go due …" for the summary. */
async function phaseLine(app: INestApplicationContext): Promise<string> {
  const phase = await app.get(PhasesService).find(RUNBOOK_FLAG);
  if (phase?.startedAt == null) return 'no phase started';
  const due = goNoGoDueAt({ startedAt: phase.startedAt, minDurationMinutes: phase.minDurationMinutes });
  const length =
    phase.minDurationMinutes % 60 === 0 ? `${phase.minDurationMinutes / 60} h` : `${phase.minDurationMinutes} min`;
  return `${phase.name} started ${phase.startedAt}, lasts at least ${length}; go/no-go due ${due.toISOString()}`;
}

type Account = Readonly<{ role: Role; email: string; password: string; token: string }>;

/** A demo user with a fresh password each run, so the demo prints credentials and a token that work. */
async function accountFor(app: INestApplicationContext, role: Role): Promise<Account> {
  const users = app.get(UsersService);
  const email = `${role.toLowerCase().replace('_', '-')}@demo.flagdog.local`;
  const password = randomBytes(18).toString('base64url');
  try {
    await users.create(DEMO, { email, password, role });
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'USER_EXISTS')) throw error;
    const existing = (await users.list(500)).items.find((user) => user.email === email)!;
    await users.update(DEMO, existing.id, { password });
  }
  return { role, email, password, token: (await app.get(AuthService).login({ email, password })).accessToken };
}

/** One second of the matching backend's traffic: control and treatment; `failRate` of treatment fails. */
export function traffic(now: Date, failRate: number, random: () => number = Math.random): object[] {
  const at = now.toISOString();
  const events: object[] = [];
  for (let i = 0; i < 60; i++) {
    const variant = i < 50 ? 'off' : 'on';
    const failed = variant === 'on' && random() < failRate;
    const statusCode = failed ? 503 : i % 25 === 0 ? 404 : 200;
    events.push({
      type: 'http',
      featureKey: RUNBOOK_FLAG,
      variant,
      route: '/api/matching',
      statusCode,
      latencyMs: 35 + ((i * 7) % 30),
      at,
    });
    if (i % 3 === 0) {
      events.push({
        type: 'matching',
        featureKey: RUNBOOK_FLAG,
        variant,
        subjectId: variant === 'on' ? RUNBOOK_BETA[i % 10] : `passenger-${i}`,
        matched: !failed && i % 9 !== 0,
        timeToMatchMs: 2500 + ((i * 97) % 1500),
        at,
      });
    }
  }
  return events;
}

type Summary = Readonly<{
  base: string;
  phase: string;
  dataDir: string;
  cron: string;
  seeded: string;
  options: DemoOptions;
  accounts: Account[];
}>;

/** The block a newcomer works from: addresses, accounts, and the runbook's commands ready to paste. */
export function summary({ base, phase, dataDir, cron, seeded, options, accounts }: Summary): string {
  const [admin, operator, viewer] = accounts;
  const monitor = `$BASE/api/admin/beta-monitor/${RUNBOOK_FLAG}`;
  const flag = `$BASE/api/admin/feature-flags/${RUNBOOK_FLAG}`;
  return `
flagdog demo is running at ${base} (${seeded === 'created' ? 'runbook data created' : 'runbook data found'} in ${dataDir})
Console:             ${base}/admin   (sign in with an account below; runbook §1: ${base}/admin/feature-flags and ${base}/admin/beta-monitor/${RUNBOOK_FLAG})
API docs:            ${base}/api/docs
Checkpoints run on:  ${cron} (UTC); simulated matching-backend traffic every second${options.failRate > 0 ? `, ${options.failRate * 100} % of the "on" variant failing with 503` : ''}.
Phase:               ${phase}${options.phaseMinutes === null ? '\n                     (npm run demo -- --phase-minutes 5 makes the phases 5 minutes long, so GO is minutes away)' : ''}

Accounts (fresh passwords each run):
  SUPER_ADMIN   ${admin.email}   ${admin.password}
  OPERATOR      ${operator.email}   ${operator.password}
  ANGEL_VIEWER  ${viewer.email}   ${viewer.password}

SUPER_ADMIN token:   ${admin.token}
OPERATOR token:      ${operator.token}
ANGEL_VIEWER token:  ${viewer.token}

export BASE=${base} TOKEN=${operator.token} ADMIN_TOKEN=${admin.token}

# Runbook §3 — manual checkpoint ("Executar agora"), through the API or with the CLI on this demo's data
curl -X POST ${monitor}/run -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{"phase":"phase1_beta"}'
FLAGDOG_URL=$BASE FLAGDOG_TOKEN=$TOKEN npx beta-monitor-dog ${RUNBOOK_FLAG} --dry-run

# Status, and the latest checkpoints
curl -s ${monitor}/status -H "Authorization: Bearer $TOKEN"
curl -s "${monitor}/checkpoints?limit=5" -H "Authorization: Bearer $TOKEN"

# Determinism probe by hand
curl -s "$BASE/api/feature-flags/${RUNBOOK_FLAG}/evaluate?subjectId=pass_beta_001_2026" -H "Authorization: Bearer $TOKEN"

# Runbook §4 — Level 1 rollback, option A (an OPERATOR may), or verified in one call
curl -X PUT ${flag} -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{"enabled":false,"rolloutPercentage":0}'
curl -X POST ${monitor}/rollback -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{"level":1,"mode":"disable","reason":"demo"}'

# Runbook §5 — go/no-go (PENDING until it is due and the five checklist items are signed), sign, advance on GO (SUPER_ADMIN)
curl -s ${monitor}/go-no-go -H "Authorization: Bearer $TOKEN"
curl -X PUT ${monitor}/go-no-go/checklist/MATCHING_SUCCESS_RATE -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{"status":"PASS","note":"matching success at baseline"}'
for item in ${CHECKLIST}; do curl -s -o /dev/null -w "$item %{http_code}\\n" -X PUT ${monitor}/go-no-go/checklist/$item -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{"status":"PASS","note":"looked at in the demo"}'; done
curl -X POST ${monitor}/advance -H "Authorization: Bearer $ADMIN_TOKEN" -H "Content-Type: application/json" -d '{}'

This block is also in ${join(dataDir, 'README.txt')}; press Enter to print it again. Ctrl-C stops the demo.
`;
}

/* eslint-disable no-restricted-properties -- the demo sets its own defaults before loadConfig reads the environment. */

/**
 * `npm run demo`: flagdog on the embedded database with the runbook's Phase 1, simulated
 * matching-backend traffic, checkpoints every 30 seconds, quiet logs, and the runbook's commands
 * ready to paste. Ctrl-C stops it; the data stays in DATA_DIR (default ./data-demo).
 */
async function main(argv: string[]): Promise<void> {
  const options = parseDemoArguments(argv);
  if (typeof options === 'string') {
    process.stderr.write(`${options}\n`);
    process.exit(argv.includes('--help') || argv.includes('-h') ? 0 : 2);
  }
  const config = loadConfig({
    ...process.env,
    DATA_DIR: process.env.DATA_DIR ?? './data-demo',
    BETA_MONITOR_CRON: process.env.BETA_MONITOR_CRON ?? '*/30 * * * * *',
    BETA_MONITOR_SCHEDULE_ENABLED: 'true',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const embedded = config.databaseUrl === null ? await EmbeddedDatabase.start(config.dataDir) : null;
  const app = await createApp(config, { databaseUrl: embedded?.url ?? config.databaseUrl! });
  await app.listen({ port: config.port, host: config.host });
  const base = (await app.getUrl())
    .replace('[::1]', 'localhost')
    .replace('0.0.0.0', 'localhost')
    .replace('127.0.0.1', 'localhost');
  embedded?.announce(base);
  const seeded = await seedRunbook(app, options.phaseMinutes);
  if (seeded === 'exists' && options.phaseMinutes !== null) await shortenPhases(app, options.phaseMinutes);
  const accounts = await Promise.all([
    accountFor(app, 'SUPER_ADMIN'),
    accountFor(app, 'OPERATOR'),
    accountFor(app, 'ANGEL_VIEWER'),
  ]);
  // The simulated matching backend gets a token made for telemetry, limited to the runbook's flag.
  const service = await app.get(ServiceTokensService).create(DEMO, {
    name: `demo-matching-backend-${Date.now()}`,
    permissions: [Permission.TELEMETRY_WRITE],
    telemetryFeatureKeys: [RUNBOOK_FLAG],
  });
  // The simulated backend talks to the address the server is bound to ("localhost" may resolve to ::1).
  const { port } = app.getHttpServer().address() as AddressInfo;
  const intake = `http://${config.host === '::' || config.host === '::1' ? '[::1]' : '127.0.0.1'}:${port}/api/telemetry/events`;
  let failing = false;
  const timer = setInterval(() => {
    void fetch(intake, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': service.token },
      body: JSON.stringify({ events: traffic(new Date(), options.failRate) }),
    })
      .then((response) => (response.status === 202 ? null : `answered ${response.status}`))
      .catch((error: unknown) => (error instanceof Error ? error.message : String(error)))
      .then((problem) => {
        // Said once per outage, so a broken simulated pipeline is visible without flooding the summary.
        if (problem !== null && !failing) process.stderr.write(`demo: simulated telemetry not accepted: ${problem}\n`);
        failing = problem !== null;
      });
  }, 1000);
  const stop = async (): Promise<void> => {
    clearInterval(timer);
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const phase = await phaseLine(app);
  const text = summary({
    base,
    phase,
    dataDir: config.dataDir,
    cron: config.betaMonitor.cron,
    seeded,
    options,
    accounts,
  });
  writeFileSync(join(config.dataDir, 'README.txt'), text, { mode: 0o600 });
  process.stdout.write(text);
  process.stdin.on('data', () => process.stdout.write(text));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `flagdog demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
