import { userInfo } from 'node:os';
import { BetaMonitorService } from 'src/beta-monitor/beta-monitor.service';
import { CheckpointResponseDto } from 'src/beta-monitor/beta-monitor.dto';
import { CheckpointsService } from 'src/beta-monitor/checkpoints.service';
import { withAppContext } from 'src/cli/app-context';
import { AppConfig, CliTarget, ConfigError, loadCliTarget } from 'src/config/app-config';
import { describeDatabaseUrl } from 'src/database/database-preflight';
import { DataDirLockedError, runningServerOf } from 'src/database/embedded-database';
import { AppError } from 'src/http/app-error';

const EXIT = { PASS: 0, WARN: 1, FAIL: 2, ERROR: 3 } as const;
const USAGE = `usage: beta-monitor-dog <featureKey> [--phase <phase>] [--dry-run] [--json] [--verbose]

Runs one beta monitor checkpoint and prints what it found.
  --phase <phase>  check this phase (default: the active one)
  --dry-run        measure and report only: no stored checkpoint, no alert, no automatic rollback
  --json           the report as JSON
  --verbose        the service's logs on stderr (quiet by default)

Where it looks: through a running flagdog when FLAGDOG_URL (and FLAGDOG_TOKEN, an OPERATOR or
SUPER_ADMIN access token) are set; otherwise straight in the database of DATABASE_URL, or the
embedded one in DATA_DIR (default ./data) when no server holds it.
Exit codes: 0 PASS, 1 WARN, 2 FAIL, 3 ERROR (could not run).`;

type Arguments = { key: string; phase?: string; json: boolean; dryRun: boolean; verbose: boolean };

export function parseArguments(argv: string[]): Arguments | string {
  const rest = [...argv];
  let key: string | undefined;
  let phase: string | undefined;
  const flags = { json: false, dryRun: false, verbose: false };
  while (rest.length) {
    const arg = rest.shift()!;
    if (arg === '--json') flags.json = true;
    else if (arg === '--dry-run') flags.dryRun = true;
    else if (arg === '--verbose') flags.verbose = true;
    else if (arg === '--phase') phase = rest.shift();
    else if (arg.startsWith('--phase=')) phase = arg.slice('--phase='.length);
    else if (arg === '--help' || arg === '-h') return 'help';
    else if (!arg.startsWith('-') && key === undefined) key = arg;
    else return `unknown argument ${arg}\n${USAGE}`;
  }
  if (key === undefined) return USAGE;
  if (phase === '') return `--phase needs a value\n${USAGE}`;
  return { key, phase, ...flags };
}

/** What a report says it checked: which flagdog or database, and whether anything was stored. */
export type Checked = Readonly<{ source: string; dryRun: boolean; notes: string[] }>;

export function describeLocal(config: AppConfig): string {
  return config.databaseUrl === null
    ? `embedded database in DATA_DIR=${config.dataDir}`
    : describeDatabaseUrl(config.databaseUrl);
}

export function report(checkpoint: CheckpointResponseDto, checked: Checked): string {
  const lines = [
    `Beta Monitor Dog — ${checkpoint.featureKey} / ${checkpoint.phase ?? '(no phase)'}`,
    `checked ${checked.source}${checked.dryRun ? ' — dry run: nothing stored, no alert, no rollback' : ''}`,
    ...checked.notes.map((note) => `note: ${note}`),
    `status ${checkpoint.status} (${checkpoint.health})   label ${checkpoint.label}   ${checkpoint.durationMs} ms`,
    `window ${checkpoint.windowStart} → ${checkpoint.windowEnd}`,
  ];
  const coverage = checkpoint.coverage;
  if (coverage) {
    lines.push(
      `coverage served ON ${coverage.evaluationsOn} / OFF ${coverage.evaluationsOff}, ` +
        `telemetry requests on ${coverage.treatmentRequests} / off ${coverage.controlRequests}, ` +
        `matching on ${coverage.treatmentMatching} / off ${coverage.controlMatching}` +
        (coverage.note ? ` — ${coverage.note}` : ''),
    );
  }
  if (checkpoint.error) lines.push(`could not measure: ${checkpoint.error}`);
  const evidence = checkpoint.evidence ?? {};
  for (const [check, result] of Object.entries(evidence)) {
    const outcome = (result as { outcome?: string }).outcome;
    if (outcome) lines.push(`  ${check.padEnd(14)} ${outcome}`);
  }
  lines.push(checkpoint.alerts.length ? 'alerts:' : 'alerts: none');
  for (const alert of checkpoint.alerts)
    lines.push(`  ${alert.severity.padEnd(8)} ${alert.code.padEnd(22)} ${alert.message}`);
  return `${lines.join('\n')}\n`;
}

class CliFailure extends Error {}

/** Through a running flagdog's API, exactly as a curl user would ("Executar agora"). */
async function runRemote(
  target: CliTarget,
  args: Arguments,
): Promise<{ checkpoint: CheckpointResponseDto; checked: Checked }> {
  const url = `${target.url}/api/admin/beta-monitor/${encodeURIComponent(args.key)}/run`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...(args.phase ? { phase: args.phase } : {}), ...(args.dryRun ? { dryRun: true } : {}) }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    throw new CliFailure(
      `flagdog at ${target.url} did not answer (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const body = (await response.json().catch(() => ({}))) as CheckpointResponseDto & { detail?: string; code?: string };
  if (!response.ok)
    throw new CliFailure(
      `flagdog at ${target.url} answered ${response.status} ${body.code ?? ''}: ${body.detail ?? response.statusText}`,
    );
  return { checkpoint: body, checked: { source: `flagdog at ${target.url}`, dryRun: args.dryRun, notes: [] } };
}

/**
 * Notes when this process's environment would not match the server's: a master switch set only
 * here (or only there, as seen by the server's latest scheduled checkpoint) changes the answer.
 */
async function environmentNotes(checkpoints: CheckpointsService, config: AppConfig, key: string): Promise<string[]> {
  const mine = config.masterSwitchesOff.has(key);
  const latest = (await checkpoints.list(key, { limit: 20 })).items.find(
    (checkpoint) => checkpoint.trigger === 'scheduled',
  );
  if (latest === undefined) return [];
  const theirs =
    (latest.evidence?.config as { actual?: { masterSwitch?: string | null } } | undefined)?.actual?.masterSwitch ===
    'off';
  if (mine === theirs) return [];
  const variable = `FEATURE_${key.toUpperCase()}`;
  return [
    mine
      ? `${variable}=false is set here but the server's latest scheduled checkpoint (${latest.label}) saw no master switch: this report reflects this shell's environment`
      : `the server's latest scheduled checkpoint (${latest.label}) saw ${variable}=false, which is not set here: this report reflects this shell's environment`,
  ];
}

async function runLocal(args: Arguments): Promise<{ checkpoint: CheckpointResponseDto; checked: Checked }> {
  return withAppContext(
    async (app, config) => {
      const monitor = app.get(BetaMonitorService);
      const checkpoint = await monitor.runCheckpoint(args.key, {
        phase: args.phase,
        trigger: 'cli',
        triggeredBy: `cli:${userInfo().username}`,
        dryRun: args.dryRun,
      });
      const notes = await environmentNotes(app.get(CheckpointsService), config, args.key);
      return { checkpoint: checkpoint!, checked: { source: describeLocal(config), dryRun: args.dryRun, notes } };
    },
    { logLevel: args.verbose ? undefined : 'warn' },
  );
}

/**
 * `beta-monitor-dog <featureKey> [--phase P] [--dry-run] [--json] [--verbose]`: one checkpoint,
 * through a running flagdog (FLAGDOG_URL) or against the configured database. Exit codes: 0 PASS,
 * 1 WARN, 2 FAIL, 3 ERROR (could not run).
 */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseArguments(argv);
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (typeof parsed === 'string') {
    process.stderr.write(`${parsed}\n`);
    return EXIT.ERROR;
  }
  try {
    const target = loadCliTarget();
    const { checkpoint, checked } = target.url !== null ? await runRemote(target, parsed) : await runLocal(parsed);
    process.stdout.write(
      parsed.json ? `${JSON.stringify({ checked, ...checkpoint }, null, 2)}\n` : report(checkpoint, checked),
    );
    return EXIT[checkpoint.status];
  } catch (error) {
    process.stderr.write(`beta-monitor-dog could not run a checkpoint: ${explain(error)}\n`);
    return EXIT.ERROR;
  }
}

function explain(error: unknown): string {
  if (error instanceof DataDirLockedError) {
    const dataDir = error.dataDir;
    const server = dataDir === undefined ? null : runningServerOf(dataDir);
    if (server !== null) {
      return (
        `DATA_DIR ${dataDir} is held by the flagdog server at ${server.url} (pid ${server.pid}). ` +
        `Check through it: FLAGDOG_URL=${server.url} FLAGDOG_TOKEN=<an OPERATOR token> beta-monitor-dog <featureKey>`
      );
    }
    return error.message;
  }
  if (
    error instanceof CliFailure ||
    error instanceof AppError ||
    error instanceof ConfigError ||
    error instanceof Error
  )
    return error.message;
  return String(error);
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
