import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { normalizeEmail } from 'src/auth/email';

/**
 * Login attempts are counted per client address and email, so one attacker cannot lock out
 * others; the email in the same normalised form the lookup uses, so no spelling of an address
 * reaches the account past the limit.
 */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const body = request.body as { email?: unknown } | undefined;
    const email = typeof body?.email === 'string' ? normalizeEmail(body.email.slice(0, 320)) : '';
    return `${String(request.ip)}|${email}`;
  }
}
