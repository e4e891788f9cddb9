import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { AuditService } from 'src/audit/audit.service';
import {
  ServiceTokenCreateDto,
  ServiceTokenCreatedResponseDto,
  ServiceTokenListResponseDto,
  ServiceTokenResponseDto,
} from 'src/auth/auth.dto';
import { Actor, Principal } from 'src/auth/principal';
import { ServiceTokenEntity } from 'src/auth/service-token.entity';
import { AppError } from 'src/http/app-error';

export const SERVICE_TOKEN_PREFIX = 'fds_';
/**
 * A token looked up in the database is trusted this long. Revocation commits in PostgreSQL, so
 * every instance stops accepting the token within this time.
 */
const TOKEN_CACHE_MS = 500;
const MAX_CACHED_TOKENS = 10_000;

/** Secrets are 256 random bits, so a fast hash is enough: nothing to brute-force. */
function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

@Injectable()
export class ServiceTokensService {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async authenticate(secret: string): Promise<Principal> {
    if (!secret.startsWith(SERVICE_TOKEN_PREFIX) || secret.length > 200) throw AppError.unauthenticated();
    const hash = hashToken(secret);
    const now = Date.now();
    const cached = this.cache.get(hash);
    let principal = cached && cached.until > now ? cached.principal : undefined;
    if (principal === undefined) {
      const token = await this.dataSource
        .getRepository(ServiceTokenEntity)
        .findOneBy({ tokenHash: hash, revokedAt: IsNull() });
      principal = token ? { kind: 'service', id: token.id, name: token.name, role: 'SERVICE' } : null;
      if (this.cache.size >= MAX_CACHED_TOKENS) this.cache.clear();
      this.cache.set(hash, { principal, until: now + TOKEN_CACHE_MS });
    }
    if (principal === null) throw AppError.unauthenticated();
    return principal;
  }

  async list(): Promise<ServiceTokenListResponseDto> {
    const rows = await this.dataSource.getRepository(ServiceTokenEntity).find({ order: { createdAt: 'DESC' } });
    return { items: rows.map(toView) };
  }

  async create(actor: Actor, dto: ServiceTokenCreateDto): Promise<ServiceTokenCreatedResponseDto> {
    const secret = `${SERVICE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    return this.dataSource.transaction(async (manager) => {
      const clash = await manager
        .getRepository(ServiceTokenEntity)
        .createQueryBuilder('token')
        .where('lower(token.name) = lower(:name) AND token.revokedAt IS NULL', { name: dto.name })
        .getExists();
      if (clash) throw new AppError(409, 'SERVICE_TOKEN_EXISTS', `An active service token named ${dto.name} exists.`);
      const token = await manager.save(
        manager.create(ServiceTokenEntity, {
          name: dto.name,
          tokenHash: hashToken(secret),
          tokenPrefix: secret.slice(0, SERVICE_TOKEN_PREFIX.length + 6),
          createdBy: actor.name,
          revokedAt: null,
        }),
      );
      const view = toView(token);
      await this.audit.record(manager, actor, { action: 'service_token.created', after: view, reason: dto.reason });
      return { ...view, token: secret };
    });
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
    });
    this.cache.clear();
  }
}

function toView(token: ServiceTokenEntity): ServiceTokenResponseDto {
  return {
    id: token.id,
    name: token.name,
    tokenPrefix: token.tokenPrefix,
    createdBy: token.createdBy,
    createdAt: token.createdAt.toISOString(),
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}
