import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from 'src/audit/audit.service';
import { Change, ChangeFeedService, ChangeSubscriber } from 'src/change-feed/change-feed.service';
import {
  ServiceTokenCreateDto,
  ServiceTokenCreatedResponseDto,
  ServiceTokenListResponseDto,
  ServiceTokenResponseDto,
} from 'src/auth/auth.dto';
import { authFailure } from 'src/auth/auth-failures';
import { Permission, ServiceTokenPermission } from 'src/auth/permissions';
import { Actor, Principal } from 'src/auth/principal';
import { ServiceTokenEntity } from 'src/auth/service-token.entity';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import { isUniqueViolation } from 'src/database/postgres-errors';
import { AppError } from 'src/http/app-error';

export const SERVICE_TOKEN_PREFIX = 'fds_';

const RECENT_HASHES = 1000;
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 10000;
/** What the set holds for a revoked token's hash, so its refusal can say so. */
const REVOKED = 'revoked';
type Known = Principal | typeof REVOKED;

export type ServiceTokenCacheHealth = Readonly<{
  stale: boolean;
  lastReloadAt: string | null;
  lastError: string | null;
}>;

/** Secrets are 256 random bits, so a fast hash is enough: nothing to brute-force. */
function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Service tokens are held in memory (hash → principal, or revoked), loaded with the flag snapshot and
 * reloaded whenever the change feed reports a token change, so authenticating a service is a
 * hash and a map lookup, keeps working while the database is down, and a revocation reaches
 * every instance as fast as the feed does. A reload that fails is retried with back-off until it
 * succeeds (readiness reports the set as stale meanwhile), and a periodic full reload bounds
 * staleness even if a change notice is lost.
 */
@Injectable()
export class ServiceTokensService implements ChangeSubscriber, OnApplicationBootstrap, OnApplicationShutdown {
  private known = new Map<string, Known>();
  /** The hashes of the secrets seen last, so the hot path hashes a service's secret once. */
  private readonly recentHashes = new Map<string, string>();
  private reloads = 0;
  private failures = 0;
  private lastReloadAt: Date | null = null;
  private lastError: string | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  private periodic: NodeJS.Timeout | null = null;
  private readonly logger = new Logger(ServiceTokensService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly feed: ChangeFeedService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    feed.subscribe(this);
  }

  onApplicationBootstrap(): void {
    this.periodic = setInterval(() => this.reload(), this.config.serviceTokenReloadMs);
    this.periodic.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.periodic) clearInterval(this.periodic);
    if (this.retry) clearTimeout(this.retry);
  }

  health(): ServiceTokenCacheHealth {
    return {
      stale: this.lastError !== null,
      lastReloadAt: this.lastReloadAt?.toISOString() ?? null,
      lastError: this.lastError,
    };
  }

  authenticate(secret: string): Principal {
    if (!secret.startsWith(SERVICE_TOKEN_PREFIX) || secret.length > 200) throw authFailure('CREDENTIALS_MALFORMED');
    let hash = this.recentHashes.get(secret);
    if (hash === undefined) {
      hash = hashToken(secret);
      if (this.recentHashes.size >= RECENT_HASHES) this.recentHashes.clear();
      this.recentHashes.set(secret, hash);
    }
    const principal = this.known.get(hash);
    if (principal === undefined) throw authFailure('SERVICE_TOKEN_UNKNOWN');
    if (principal === REVOKED) throw authFailure('SERVICE_TOKEN_REVOKED');
    return principal;
  }

  async load(manager: EntityManager): Promise<void> {
    this.known = await this.fetchKnown(manager);
    this.lastReloadAt = new Date();
  }

  apply(change: Change): void {
    if (change.kind === 'service_tokens') this.reload();
  }

  /** Reloads the set; the latest reload wins, and a failed one is retried until one succeeds. */
  reload(): Promise<void> {
    const ticket = ++this.reloads;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    return this.fetchKnown(this.dataSource.manager).then(
      (known) => {
        if (ticket !== this.reloads) return;
        if (this.lastError !== null) this.logger.log('Service tokens reloaded; the set is current again');
        this.known = known;
        this.lastReloadAt = new Date();
        this.lastError = null;
        this.failures = 0;
      },
      (error: unknown) => {
        // A reload that fails because the app is closing schedules nothing: no timer outlives close().
        if (ticket !== this.reloads || this.stopped) return;
        this.failures += 1;
        const delayMs = Math.min(RETRY_FIRST_MS * 2 ** (this.failures - 1), RETRY_MAX_MS);
        if (this.lastError === null)
          this.logger.warn({ err: error }, 'Could not reload service tokens; keeping the previous set and retrying');
        this.lastError = error instanceof Error ? error.message : String(error);
        this.retry = setTimeout(() => void this.reload(), delayMs);
        this.retry.unref();
      },
    );
  }

  private async fetchKnown(manager: EntityManager): Promise<Map<string, Known>> {
    const rows = await manager
      .getRepository(ServiceTokenEntity)
      .createQueryBuilder('token')
      .addSelect('token.tokenHash')
      .getMany();
    return new Map(rows.map((token) => [token.tokenHash, token.revokedAt === null ? principalOf(token) : REVOKED]));
  }

  async list(): Promise<ServiceTokenListResponseDto> {
    const rows = await this.dataSource.getRepository(ServiceTokenEntity).find({ order: { createdAt: 'DESC' } });
    return { items: rows.map(toView) };
  }

  async create(actor: Actor, dto: ServiceTokenCreateDto): Promise<ServiceTokenCreatedResponseDto> {
    const permissions = dto.permissions ?? [Permission.FLAGS_EVALUATE];
    if (dto.telemetryFeatureKeys !== undefined && !permissions.includes(Permission.TELEMETRY_WRITE)) {
      throw AppError.validation([
        { field: 'telemetryFeatureKeys', message: 'telemetryFeatureKeys needs the permission telemetry:write' },
      ]);
    }
    const secret = `${SERVICE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const created = await this.dataSource.transaction(async (manager) => {
      const clash = await manager
        .getRepository(ServiceTokenEntity)
        .createQueryBuilder('token')
        .where('lower(token.name) = lower(:name) AND token.revokedAt IS NULL', { name: dto.name })
        .getExists();
      const taken = () =>
        new AppError(409, 'SERVICE_TOKEN_EXISTS', `An active service token named ${dto.name} exists.`);
      if (clash) throw taken();
      // A concurrent creation of the same name can pass the check; the unique index decides.
      const token = await manager
        .save(
          manager.create(ServiceTokenEntity, {
            name: dto.name,
            tokenHash: hashToken(secret),
            tokenPrefix: secret.slice(0, SERVICE_TOKEN_PREFIX.length + 6),
            permissions,
            telemetryFeatureKeys: dto.telemetryFeatureKeys ?? null,
            createdBy: actor.name,
            revokedAt: null,
          }),
        )
        .catch((error: unknown) => {
          throw isUniqueViolation(error) ? taken() : error;
        });
      const view = toView(token);
      await this.audit.record(manager, actor, { action: 'service_token.created', after: view, reason: dto.reason });
      await this.feed.append(manager, { kind: 'service_tokens' });
      return { ...view, token: secret };
    });
    this.known.set(hashToken(secret), principalOf(created));
    await this.feed.pull();
    return created;
  }

  async revoke(actor: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const token = await manager
        .getRepository(ServiceTokenEntity)
        .createQueryBuilder('token')
        .setLock('pessimistic_write')
        .where('token.id = :id', { id })
        .getOne();
      if (!token) throw AppError.notFound('SERVICE_TOKEN_NOT_FOUND', 'No such service token.');
      if (token.revokedAt !== null) return;
      const before = toView(token);
      token.revokedAt = new Date();
      await manager.update(ServiceTokenEntity, { id }, { revokedAt: token.revokedAt });
      await this.audit.record(manager, actor, { action: 'service_token.revoked', before, after: toView(token) });
      await this.feed.append(manager, { kind: 'service_tokens' });
    });
    for (const [hash, principal] of this.known)
      if (principal !== REVOKED && principal.id === id) this.known.set(hash, REVOKED);
    await this.feed.pull();
  }
}

function principalOf(
  token: Pick<ServiceTokenEntity, 'id' | 'name' | 'permissions' | 'telemetryFeatureKeys'>,
): Principal {
  return {
    kind: 'service',
    id: token.id,
    name: token.name,
    role: 'SERVICE',
    permissions: new Set(token.permissions as Permission[]),
    telemetryFeatureKeys: token.telemetryFeatureKeys === null ? null : new Set(token.telemetryFeatureKeys),
  };
}

function toView(token: ServiceTokenEntity): ServiceTokenResponseDto {
  return {
    id: token.id,
    name: token.name,
    tokenPrefix: token.tokenPrefix,
    permissions: token.permissions as ServiceTokenPermission[],
    telemetryFeatureKeys: token.telemetryFeatureKeys,
    createdBy: token.createdBy,
    createdAt: token.createdAt.toISOString(),
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}
