import { Client } from 'pg';

export class DatabaseUnusableError extends Error {}

/** Where a PostgreSQL URL points, for messages: host, port, database and user, never the password. */
export function describeDatabaseUrl(url: string): string {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username) || '(default user)';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user;
  return `PostgreSQL database "${database}" on ${parsed.hostname || 'localhost'}:${parsed.port || '5432'} as user "${user}"`;
}

type Attempt = { ok: true } | { ok: false; retry: boolean; reason: string };

/** PostgreSQL error codes and socket errors that can heal by themselves while a server starts. */
const HEALABLE = new Set(['ECONNREFUSED', 'ECONNRESET', '57P03']);

function classify(error: NodeJS.ErrnoException & { code?: string }, url: string): Attempt {
  const where = describeDatabaseUrl(url);
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const user = decodeURIComponent(parsed.username);
  switch (error.code) {
    case 'ECONNREFUSED':
      return {
        ok: false,
        retry: true,
        reason: `nothing accepts connections at ${parsed.hostname}:${parsed.port || '5432'} (is PostgreSQL running there?)`,
      };
    case '57P03':
      return { ok: false, retry: true, reason: `${where} is starting up` };
    case '3D000':
      return {
        ok: false,
        retry: false,
        reason: `database "${database}" does not exist on ${parsed.hostname}:${parsed.port || '5432'}: create it (createdb ${database}) or fix DATABASE_URL`,
      };
    case '28P01':
    case '28000':
      return {
        ok: false,
        retry: false,
        reason: `PostgreSQL on ${parsed.hostname}:${parsed.port || '5432'} refused user "${user}" (${error.message}): check the user and password in DATABASE_URL`,
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { ok: false, retry: false, reason: `the host "${parsed.hostname}" in DATABASE_URL cannot be resolved` };
    default: {
      const message = error.message?.includes('timeout')
        ? 'no answer within the connect timeout'
        : (error.message ?? String(error));
      return { ok: false, retry: HEALABLE.has(error.code ?? ''), reason: `${where}: ${message}` };
    }
  }
}

export type PreflightOptions = Readonly<{
  attempts: number;
  delayMs: number;
  connectTimeoutMs: number;
  onRetry: (attempt: number, attempts: number, reason: string) => void;
}>;

/**
 * Connects once before anything else starts, so a wrong DATABASE_URL is one clear line and not
 * a minute of framework retries. Only causes that can heal (refused while PostgreSQL starts)
 * are retried, a bounded number of times.
 */
export async function preflightDatabase(url: string, options: PreflightOptions): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: options.connectTimeoutMs });
    client.on('error', () => undefined);
    let result: Attempt;
    try {
      await client.connect();
      await client.query('SELECT 1');
      result = { ok: true };
    } catch (error) {
      result = classify(error as NodeJS.ErrnoException, url);
    } finally {
      await client.end().catch(() => undefined);
    }
    if (result.ok) return;
    if (!result.retry || attempt >= options.attempts) {
      throw new DatabaseUnusableError(attempt > 1 ? `${result.reason} (after ${attempt} attempts)` : result.reason);
    }
    options.onRetry(attempt, options.attempts, result.reason);
    await new Promise((resolve) => setTimeout(resolve, options.delayMs));
  }
}
