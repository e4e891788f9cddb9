import { Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerOptions } from '@nestjs/throttler';
import { normalizeEmail } from 'src/auth/email';
import type { AppConfig } from 'src/config/app-config';

function emailOf(request: Record<string, unknown>): string {
  const body = request.body as { email?: unknown } | undefined;
  return typeof body?.email === 'string' ? normalizeEmail(body.email.slice(0, 320)) : '';
}

/**
 * The three login limits. Emails are counted in the same normalised form the lookup uses, so
 * no spelling of an address gets past a limit.
 * - `default`: per client address and email, so one guesser cannot lock out others;
 * - `address`: per client address across emails (one password tried on many accounts);
 * - `account`: per account across addresses (guessing from many addresses). This one can be
 *   used to keep a known account's owner from signing in for its window: the price of
 *   bounding distributed guessing (docs/security.md).
 */
export function loginThrottlers(config: AppConfig): ThrottlerOptions[] {
  const { limit, ttlSeconds, addressLimit, accountLimit, accountTtlSeconds } = config.loginThrottle;
  return [
    { name: 'default', ttl: ttlSeconds * 1000, limit },
    {
      name: 'address',
      ttl: ttlSeconds * 1000,
      limit: addressLimit,
      getTracker: (request) => `address|${String(request.ip)}`,
    },
    {
      name: 'account',
      ttl: accountTtlSeconds * 1000,
      limit: accountLimit,
      getTracker: (request) => `account|${emailOf(request)}`,
    },
  ];
}

@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return `${String(request.ip)}|${emailOf(request)}`;
  }
}
