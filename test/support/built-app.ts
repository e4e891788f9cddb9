/**
 * The BUILT app (`node dist/src/main.js`) as a child process with a clean environment: what a
 * newcomer runs. For tests of start-up itself; the harness database is not used.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const MAIN = join(ROOT, 'dist', 'src', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ with `nest build` when it is missing or older than anything in src/. */
export function ensureBuilt(): void {
  const sources = Math.max(
    newestMtime(join(ROOT, 'src')),
    ...['tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'].map((file) => statSync(join(ROOT, file)).mtimeMs),
  );
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= sources) return;
  try {
    execFileSync('npx', ['nest', 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 170_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`npx nest build failed:\n${stdout?.toString() ?? ''}\n${stderr?.toString() ?? ''}`);
  }
  if (!existsSync(MAIN)) throw new Error(`npx nest build did not produce ${MAIN}`);
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const { port, server } = await occupyPort();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** What a newcomer's shell has: no BOOTSTRAP_*, no JWT_SECRET, no DATABASE_URL, no NODE_ENV. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  return { ...env, ...extra };
}

/** Runs a built entry point to its end (for start-ups that must fail) and returns what it printed. */
export function runToExit(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [script, ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A listening socket on a free loopback port, to make a port busy. */
export async function occupyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address !== null ? address.port : 0, server };
}
