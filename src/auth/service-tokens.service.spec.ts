import type { DataSource } from 'typeorm';
import type { AuditService } from 'src/audit/audit.service';
import { ServiceTokensService } from 'src/auth/service-tokens.service';
import type { ChangeFeedService } from 'src/change-feed/change-feed.service';
import { AppConfig, loadConfig } from 'src/config/app-config';
import { AppError } from 'src/http/app-error';
import { createHash } from 'node:crypto';

const SECRET = 'fds_a-service-secret';
const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

type Row = { id: string; name: string; tokenHash: string; revokedAt: Date | null };

/** A database holding the tokens' rows, which can be made to fail the next reloads. */
class FakeTokenStore {
  rows: Row[] = [{ id: 't1', name: 'matcher', tokenHash: hashOf(SECRET), revokedAt: null }];
  failuresLeft = 0;
  reads = 0;
  async getMany() {
    this.reads += 1;
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('Query read timeout');
    }
    return this.rows;
  }
}

function serviceOn(store: FakeTokenStore, config: AppConfig): ServiceTokensService {
  const builder = { addSelect: () => builder, where: () => builder, getMany: () => store.getMany() };
  const dataSource = {
    manager: { getRepository: () => ({ createQueryBuilder: () => builder }) },
  } as unknown as DataSource;
  const feed = { subscribe: () => undefined } as unknown as ChangeFeedService;
  return new ServiceTokensService(dataSource, {} as AuditService, feed, config);
}

const config = loadConfig({ JWT_SECRET: 'x'.repeat(32), SERVICE_TOKEN_RELOAD_SECONDS: '30', DATA_DIR: '/tmp' });
const revocation = { id: 2, kind: 'service_tokens', featureKey: null, state: null, subjectIds: null } as const;

describe('service token cache', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('retries a failed reload until it succeeds, and reports the set stale meanwhile', async () => {
    const store = new FakeTokenStore();
    const tokens = serviceOn(store, config);
    await tokens.reload();
    expect(tokens.authenticate(SECRET).name).toBe('matcher');

    store.rows = [];
    store.failuresLeft = 3;
    tokens.apply(revocation);
    await jest.advanceTimersByTimeAsync(0);
    expect(tokens.health().stale).toBe(true);
    expect(tokens.authenticate(SECRET).name).toBe('matcher');

    await jest.advanceTimersByTimeAsync(250 + 500 + 1000);
    expect(store.failuresLeft).toBe(0);
    expect(tokens.health()).toMatchObject({ stale: false, lastError: null });
    expect(() => tokens.authenticate(SECRET)).toThrow(AppError);
  });

  it('reloads the whole set periodically, so a lost change notice is bounded', async () => {
    const store = new FakeTokenStore();
    const tokens = serviceOn(store, config);
    await tokens.reload();
    tokens.onApplicationBootstrap();
    store.rows = [];
    await jest.advanceTimersByTimeAsync(29_000);
    expect(tokens.authenticate(SECRET).name).toBe('matcher');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(() => tokens.authenticate(SECRET)).toThrow(AppError);
    tokens.onApplicationShutdown();
  });
});

describe('service token refusals', () => {
  const codeOf = (tokens: ServiceTokensService, secret: string): string => {
    try {
      return tokens.authenticate(secret).name;
    } catch (error) {
      return (error as AppError).code;
    }
  };

  it('say whether the token is malformed, revoked or unknown, and never repeat the secret', async () => {
    const store = new FakeTokenStore();
    store.rows.push({ id: 't2', name: 'old', tokenHash: hashOf('fds_revoked-secret'), revokedAt: new Date() });
    const tokens = serviceOn(store, config);
    await tokens.reload();
    expect(codeOf(tokens, SECRET)).toBe('matcher');
    expect(codeOf(tokens, 'fds_revoked-secret')).toBe('SERVICE_TOKEN_REVOKED');
    expect(codeOf(tokens, 'fds_never-issued')).toBe('SERVICE_TOKEN_UNKNOWN');
    expect(codeOf(tokens, '[TOKEN]')).toBe('CREDENTIALS_MALFORMED');
    expect(codeOf(tokens, `fds_${'x'.repeat(300)}`)).toBe('CREDENTIALS_MALFORMED');
    const refusal = (() => {
      try {
        tokens.authenticate('fds_revoked-secret');
      } catch (error) {
        return error as AppError;
      }
    })();
    expect(JSON.stringify(refusal)).not.toContain('revoked-secret');
    expect(refusal?.headers['www-authenticate']).toMatch(/^Bearer realm="flagdog", error="invalid_token"/);
  });
});
