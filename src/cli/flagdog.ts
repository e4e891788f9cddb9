import { main as checkpoint } from 'src/cli/beta-monitor-dog';
import { withAppContext } from 'src/cli/app-context';
import { RUNBOOK_FLAG, seedRunbook } from 'src/cli/seed-runbook';

const USAGE = `usage:
  flagdog checkpoint <featureKey> [--phase <phase>] [--json]   run one checkpoint (exit 0 PASS, 1 WARN, 2 FAIL, 3 ERROR)
  flagdog seed-runbook                                          create the runbook's Phase 1 data (idempotent)`;

/** `flagdog <command>`: the command-line entry point (an npm bin). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'checkpoint') return checkpoint(rest);
  if (command === 'seed-runbook') {
    try {
      const result = await withAppContext((app) => seedRunbook(app));
      process.stdout.write(
        result === 'created'
          ? `Created ${RUNBOOK_FLAG} with Phase 1 started.\n`
          : `${RUNBOOK_FLAG} exists; left as it is.\n`,
      );
      return 0;
    } catch (error) {
      process.stderr.write(`flagdog seed-runbook failed: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  }
  process.stderr.write(`${USAGE}\n`);
  return command === '--help' ? 0 : 3;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
