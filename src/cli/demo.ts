import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AuthService } from 'src/auth/auth.service';
import { Permission, Role } from 'src/auth/permissions';
import { ServiceTokensService } from 'src/auth/service-tokens.service';
import { UsersService } from 'src/auth/users.service';
import { createApp } from 'src/app.factory';
import { RUNBOOK_BETA, RUNBOOK_FLAG, seedRunbook } from 'src/cli/seed-runbook';
import { loadConfig } from 'src/config/app-config';
import { EmbeddedDatabase } from 'src/database/embedded-database';
import { AppError } from 'src/http/app-error';
import type { INestApplicationContext } from '@nestjs/common';

const DEMO = { name: 'demo', role: 'SUPER_ADMIN', requestId: null };

type DemoAccount = Readonly<{ email: string; password: string; token: string }>;

/** A demo user with a fresh password each run, so the demo prints a sign-in and a token that work. */
async function accountFor(app: INestApplicationContext, role: Role): Promise<DemoAccount> {
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
  return { email, password, token: (await app.get(AuthService).login({ email, password })).accessToken };
}

/** One second of the matching backend's traffic: control and treatment, healthy. */
function traffic(now: Date): object[] {
  const at = now.toISOString();
  const events: object[] = [];
  for (let i = 0; i < 60; i++) {
    const variant = i < 50 ? 'off' : 'on';
    events.push({ type: 'http', featureKey: RUNBOOK_FLAG, variant, route: '/api/matching', statusCode: i % 25 === 0 ? 404 : 200, latencyMs: 35 + ((i * 7) % 30), at });
    if (i % 3 === 0) {
      events.push({
        type: 'matching',
        featureKey: RUNBOOK_FLAG,
        variant,
        subjectId: variant === 'on' ? RUNBOOK_BETA[i % 10] : `passenger-${i}`,
        matched: i % 9 !== 0,
        timeToMatchMs: 2500 + ((i * 97) % 1500),
        at,
      });
    }
  }
  return events;
}

/* eslint-disable no-restricted-properties -- the demo sets its own defaults before loadConfig reads the environment. */

/**
 * `npm run demo`: flagdog on the embedded database with the runbook's Phase 1, simulated
 * matching-backend traffic, checkpoints every 30 seconds, and the runbook's curl lines ready to
 * paste. Ctrl-C stops it; the data stays in DATA_DIR (default ./data-demo).
 */
async function main(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    DATA_DIR: process.env.DATA_DIR ?? './data-demo',
    BETA_MONITOR_CRON: process.env.BETA_MONITOR_CRON ?? '*/30 * * * * *',
    BETA_MONITOR_SCHEDULE_ENABLED: 'true',
  });
  const embedded = config.databaseUrl === null ? await EmbeddedDatabase.start(config.dataDir) : null;
  const app = await createApp(config, { databaseUrl: embedded?.url ?? config.databaseUrl! });
  await app.listen({ port: config.port, host: config.host });
  const base = (await app.getUrl()).replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost').replace('127.0.0.1', 'localhost');
  const seeded = await seedRunbook(app);
  const [operatorAccount, viewerAccount] = await Promise.all([accountFor(app, 'OPERATOR'), accountFor(app, 'ANGEL_VIEWER')]);
  const [operator, viewer] = [operatorAccount.token, viewerAccount.token];
  // The simulated matching backend gets a token made for telemetry, limited to the runbook's flag.
  const service = await app.get(ServiceTokensService).create(DEMO, {
    name: `demo-matching-backend-${Date.now()}`,
    permissions: [Permission.TELEMETRY_WRITE],
    telemetryFeatureKeys: [RUNBOOK_FLAG],
  });
  const timer = setInterval(() => {
    void fetch(`${base}/api/telemetry/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': service.token },
      body: JSON.stringify({ events: traffic(new Date()) }),
    }).catch(() => undefined);
  }, 1000);
  const stop = async (): Promise<void> => {
    clearInterval(timer);
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const superAdmin = config.bootstrapAdmin
    ? `${config.bootstrapAdmin.email}  password from BOOTSTRAP_ADMIN_PASSWORD`
    : `admin@localhost  password in ${join(config.dataDir, 'initial-admin-password')} (written on the first run)`;
  const flag = `${base}/api/admin/feature-flags/${RUNBOOK_FLAG}`;
  const monitor = `${base}/api/admin/beta-monitor/${RUNBOOK_FLAG}`;
  process.stdout.write(`
flagdog demo is running at ${base} (${seeded === 'created' ? 'runbook data created' : 'runbook data found'} in ${config.dataDir})
Operator console:    ${base}/admin  (runbook §1: ${base}/admin/feature-flags and ${base}/admin/beta-monitor/${RUNBOOK_FLAG})
  SUPER_ADMIN        ${superAdmin}
  OPERATOR           ${operatorAccount.email}  password ${operatorAccount.password}
  ANGEL_VIEWER       ${viewerAccount.email}  password ${viewerAccount.password}
API docs:            ${base}/api/docs
Checkpoints run on:  ${config.betaMonitor.cron} (UTC); simulated matching-backend traffic every second.

OPERATOR token:      ${operator}
ANGEL_VIEWER token:  ${viewer}

export BASE=${base} TOKEN=${operator}

# Runbook §3 — manual checkpoint ("Executar agora")
curl -X POST $BASE/api/admin/beta-monitor/${RUNBOOK_FLAG}/run \\
  -H "Authorization: Bearer $TOKEN" \\
  -H "Content-Type: application/json" \\
  -d '{"phase":"phase1_beta"}'

# Status, and the latest checkpoints
curl -s ${monitor}/status -H "Authorization: Bearer $TOKEN"
curl -s "${monitor}/checkpoints?limit=5" -H "Authorization: Bearer $TOKEN"

# Determinism probe by hand
curl -s "${base}/api/feature-flags/${RUNBOOK_FLAG}/evaluate?subjectId=pass_beta_001_2026" -H "Authorization: Bearer $TOKEN"

# Runbook §4 — Level 1 rollback, option A (an OPERATOR may)
curl -X PUT ${flag} \\
  -H "Authorization: Bearer $TOKEN" \\
  -H "Content-Type: application/json" \\
  -d '{"enabled":false,"rolloutPercentage":0}'

# … or verified in one call
curl -X POST ${monitor}/rollback -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
  -d '{"level":1,"mode":"disable","reason":"demo"}'

# Runbook §5 — go/no-go (PENDING until T+24h), sign a checklist item, advance to Phase 2 on GO
curl -s ${monitor}/go-no-go -H "Authorization: Bearer $TOKEN"
curl -X PUT ${monitor}/go-no-go/checklist/MATCHING_SUCCESS_RATE -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" -d '{"status":"PASS","note":"matching success at baseline"}'
curl -X POST ${monitor}/advance -H "Authorization: Bearer <SUPER_ADMIN token>" -H "Content-Type: application/json" -d '{}'

Ctrl-C stops the demo.
`);
}

main().catch((error: unknown) => {
  process.stderr.write(`flagdog demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
