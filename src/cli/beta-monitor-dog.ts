import { userInfo } from 'node:os';
import { BetaMonitorService } from 'src/beta-monitor/beta-monitor.service';
import { CheckpointResponseDto } from 'src/beta-monitor/beta-monitor.dto';
import { withAppContext } from 'src/cli/app-context';
import { ConfigError } from 'src/config/app-config';
import { AppError } from 'src/http/app-error';

const EXIT = { PASS: 0, WARN: 1, FAIL: 2, ERROR: 3 } as const;
const USAGE = 'usage: beta-monitor-dog <featureKey> [--phase <phase>] [--json]';

type Arguments = { key: string; phase?: string; json: boolean };

export function parseArguments(argv: string[]): Arguments | string {
  const rest = [...argv];
  let key: string | undefined;
  let phase: string | undefined;
  let json = false;
  while (rest.length) {
    const arg = rest.shift()!;
    if (arg === '--json') json = true;
    else if (arg === '--phase') phase = rest.shift();
    else if (arg.startsWith('--phase=')) phase = arg.slice('--phase='.length);
    else if (arg === '--help' || arg === '-h') return 'help';
    else if (!arg.startsWith('-') && key === undefined) key = arg;
    else return `unknown argument ${arg}\n${USAGE}`;
  }
  if (key === undefined) return USAGE;
  if (phase === '') return `--phase needs a value\n${USAGE}`;
  return { key, phase, json };
}

export function report(checkpoint: CheckpointResponseDto): string {
  const lines = [
    `Beta Monitor Dog — ${checkpoint.featureKey} / ${checkpoint.phase ?? '(no phase)'}`,
    `status ${checkpoint.status} (${checkpoint.health})   label ${checkpoint.label}   ${checkpoint.durationMs} ms`,
    `window ${checkpoint.windowStart} → ${checkpoint.windowEnd}`,
  ];
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

/**
 * `beta-monitor-dog <featureKey> [--phase P] [--json]`: one checkpoint against the configured
 * database. Exit codes: 0 PASS, 1 WARN, 2 FAIL, 3 ERROR (could not run).
 */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseArguments(argv);
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\nExit codes: 0 PASS, 1 WARN, 2 FAIL, 3 ERROR (could not run).\n`);
    return 0;
  }
  if (typeof parsed === 'string') {
    process.stderr.write(`${parsed}\n`);
    return EXIT.ERROR;
  }
  try {
    // Logs (the "Beta Monitor Dog checkpoint" line included) go to stderr; the report to stdout.
    return await withAppContext(async (app) => {
      const checkpoint = await app.get(BetaMonitorService).runCheckpoint(parsed.key, {
        phase: parsed.phase,
        trigger: 'cli',
        triggeredBy: `cli:${userInfo().username}`,
      });
      process.stdout.write(parsed.json ? `${JSON.stringify(checkpoint, null, 2)}\n` : report(checkpoint!));
      return EXIT[checkpoint!.status];
    });
  } catch (error) {
    const message =
      error instanceof AppError || error instanceof ConfigError || error instanceof Error
        ? error.message
        : String(error);
    process.stderr.write(`beta-monitor-dog could not run a checkpoint: ${message}\n`);
    return EXIT.ERROR;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
