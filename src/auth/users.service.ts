import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { AuditService } from 'src/audit/audit.service';
import { UserCreateDto, UserDetailResponseDto, UserListResponseDto, UserUpdateDto } from 'src/auth/auth.dto';
import { normalizeEmail } from 'src/auth/email';
import { hashPassword } from 'src/auth/password';
import { Role } from 'src/auth/permissions';
import { Actor, Principal } from 'src/auth/principal';
import { UserEntity } from 'src/auth/user.entity';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import { ADVISORY_LOCKS } from 'src/database/advisory-locks';
import { inStartupTransaction, startupTimeoutMs } from 'src/database/data-source-options';
import { isUniqueViolation } from 'src/database/postgres-errors';
import { AppError } from 'src/http/app-error';
import { decodeCursor, encodeCursor } from 'src/http/page-query.dto';

type CachedUser = { principal: Principal; version: number };

const SYSTEM: Actor = { name: 'flagdog', role: 'SYSTEM', requestId: null };
/** How long a verified access token's user is trusted before it is looked up again. */
const PRINCIPAL_CACHE_MS = 1000;
/** How long a request of a cached user waits for a fresh lookup before using the cached answer. */
const LOOKUP_PATIENCE_MS = 250;
const STALE = Symbol('stale');

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, ms, value).unref());
}

@Injectable()
export class UsersService implements OnModuleInit {
  private readonly logger = new Logger(UsersService.name);
  private readonly principals = new Map<string, { user: CachedUser | null; until: number; checkedAt: number }>();
  private readonly lookups = new Map<string, Promise<CachedUser | null>>();
  /** Set while user lookups fail or hang, so cached users stop waiting for them at all. */
  private databaseSilentSince: number | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /** Start-up work: waits for other starting instances, so it has the longer start-up bound. */
  async onModuleInit(): Promise<void> {
    const bound = startupTimeoutMs(this.config.databaseTimeoutMs);
    await inStartupTransaction(this.dataSource, bound, async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.startup]);
      await this.ensureFirstAdmin(manager);
    });
  }

  /**
   * The user behind a valid access token, if it still exists unchanged: same role, same version
   * (any change of role or password bumps it, so older tokens stop working); otherwise why not. Looked up again
   * once the cached answer is a second old, so while the database answers, a deletion or change
   * takes effect within a second on every instance.
   *
   * While the database does not answer, a user seen within the outage grace keeps the cached
   * answer without waiting for it (fail-static, like evaluation); past the grace, or for a user
   * this instance never saw, flagdog cannot know and answers 503 rather than guess.
   */
  async principalFor(
    userId: string,
    role: Role,
    version: number,
  ): Promise<Principal | 'USER_REMOVED' | 'USER_CHANGED'> {
    const now = Date.now();
    const cached = this.principals.get(userId);
    let user: CachedUser | null;
    if (cached !== undefined && cached.until > now) {
      user = cached.user;
    } else if (cached !== undefined && now - cached.checkedAt <= this.config.authOutageGraceMs) {
      // Answers from the cache unless the database answers within a moment; not at all once it
      // is known not to answer.
      const patience = this.databaseSilentSince === null ? LOOKUP_PATIENCE_MS : 0;
      const answer = await Promise.race([
        this.sharedLookUp(userId).catch((): typeof STALE => STALE),
        delay<typeof STALE>(patience, STALE),
      ]);
      user = answer === STALE ? cached.user : answer;
    } else {
      try {
        user = await this.sharedLookUp(userId);
      } catch (error) {
        this.logger.warn({ err: error }, 'Cannot look up a signed-in user; answering 503');
        throw new AppError(
          503,
          'DATABASE_UNAVAILABLE',
          'The database is unavailable, so the credentials cannot be checked; retry shortly.',
        );
      }
    }
    if (user === null) return 'USER_REMOVED';
    return user.principal.role === role && user.version === version ? user.principal : 'USER_CHANGED';
  }

  /** Concurrent requests of one user share a single lookup; its wait is bounded by the pool's timeouts. */
  private sharedLookUp(userId: string): Promise<CachedUser | null> {
    let lookup = this.lookups.get(userId);
    if (lookup === undefined) {
      lookup = this.lookUp(userId).finally(() => this.lookups.delete(userId));
      this.lookups.set(userId, lookup);
    }
    return lookup;
  }

  private async lookUp(userId: string): Promise<CachedUser | null> {
    const started = Date.now();
    const silence = setTimeout(() => (this.databaseSilentSince ??= started), LOOKUP_PATIENCE_MS);
    try {
      const row = await this.dataSource.getRepository(UserEntity).findOneBy({ id: userId });
      this.databaseSilentSince = null;
      const user = row
        ? { principal: { kind: 'user', id: row.id, name: row.email, role: row.role } as const, version: row.version }
        : null;
      if (this.principals.size > 10_000) this.principals.clear();
      const checkedAt = Date.now();
      this.principals.set(userId, { user, until: checkedAt + PRINCIPAL_CACHE_MS, checkedAt });
      return user;
    } catch (error) {
      this.databaseSilentSince ??= started;
      throw error;
    } finally {
      clearTimeout(silence);
    }
  }

  async findForLogin(email: string): Promise<UserEntity | null> {
    return this.dataSource
      .getRepository(UserEntity)
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.email = :email', { email: normalizeEmail(email) })
      .getOne();
  }

  async list(limit: number, cursor?: string): Promise<UserListResponseDto> {
    const after = decodeCursor<string>(cursor, 'string');
    const rows = await this.dataSource.getRepository(UserEntity).find({
      where: after === null ? {} : { email: MoreThan(after) },
      order: { email: 'ASC' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map(toView),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].email) : null,
    };
  }

  async create(actor: Actor, dto: UserCreateDto): Promise<UserDetailResponseDto> {
    const passwordHash = await hashPassword(dto.password);
    return this.dataSource.transaction(async (manager) => {
      const existing = await manager
        .getRepository(UserEntity)
        .createQueryBuilder('user')
        .where('user.email = :email', { email: normalizeEmail(dto.email) })
        .getExists();
      const taken = () => new AppError(409, 'USER_EXISTS', `A user with the email ${dto.email} exists.`);
      if (existing) throw taken();
      // A concurrent creation of the same email can pass the check; the unique index decides.
      const user = await this.insertUser(manager, dto.email, dto.role, passwordHash).catch((error: unknown) => {
        throw isUniqueViolation(error) ? taken() : error;
      });
      await this.audit.record(manager, actor, { action: 'user.created', after: toView(user), reason: dto.reason });
      return toView(user);
    });
  }

  async update(actor: Actor, id: string, dto: UserUpdateDto): Promise<UserDetailResponseDto> {
    const passwordHash = dto.password === undefined ? undefined : await hashPassword(dto.password);
    const after = await this.dataSource.transaction(async (manager) => {
      if (dto.role !== undefined) await manager.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.superAdmins]);
      const user = await this.lockUser(manager, id);
      const before = toView(user);
      if (dto.role !== undefined && dto.role !== user.role && user.role === 'SUPER_ADMIN') {
        await this.refuseLastSuperAdmin(manager);
      }
      const roleChanges = dto.role !== undefined && dto.role !== user.role;
      // Nothing to change writes nothing; a change bumps the version, which retires older tokens.
      if (!roleChanges && passwordHash === undefined) return before;
      const changes: Partial<UserEntity> = { version: user.version + 1 };
      if (roleChanges) changes.role = dto.role;
      if (passwordHash !== undefined) changes.passwordHash = passwordHash;
      await manager.update(UserEntity, { id }, changes);
      const after = toView(await manager.findOneByOrFail(UserEntity, { id }));
      await this.audit.record(manager, actor, {
        action: passwordHash === undefined ? 'user.updated' : 'user.updated_with_password',
        before,
        after,
        reason: dto.reason,
      });
      return after;
    });
    // After the commit, so no request in between can cache the user as it was.
    this.principals.delete(id);
    return after;
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.superAdmins]);
      const user = await this.lockUser(manager, id);
      if (user.role === 'SUPER_ADMIN') await this.refuseLastSuperAdmin(manager);
      await manager.delete(UserEntity, { id });
      await this.audit.record(manager, actor, { action: 'user.deleted', before: toView(user) });
    });
    this.principals.delete(id);
  }

  private async lockUser(manager: EntityManager, id: string): Promise<UserEntity> {
    const user = await manager
      .getRepository(UserEntity)
      .createQueryBuilder('user')
      .setLock('pessimistic_write')
      .where('user.id = :id', { id })
      .getOne();
    if (!user) throw AppError.notFound('USER_NOT_FOUND', 'No such user.');
    return user;
  }

  /** flagdog never loses its last super admin: someone must be able to manage it. */
  private async refuseLastSuperAdmin(manager: EntityManager): Promise<void> {
    const admins: { id: string }[] = await manager.query(`SELECT id FROM users WHERE role = 'SUPER_ADMIN' FOR UPDATE`);
    if (admins.length <= 1) {
      throw new AppError(409, 'LAST_SUPER_ADMIN', 'This is the last SUPER_ADMIN; create another one first.');
    }
  }

  private async insertUser(
    manager: EntityManager,
    email: string,
    role: Role,
    passwordHash: string,
  ): Promise<UserEntity> {
    const user = manager.create(UserEntity, { email: normalizeEmail(email), role, passwordHash, version: 1 });
    return manager.save(user);
  }

  /**
   * Bootstrap admin from the environment; on the embedded default with no users at all, a
   * generated admin whose password is written to DATA_DIR/initial-admin-password (docs/deployment.md).
   */
  private async ensureFirstAdmin(manager: EntityManager): Promise<void> {
    const bootstrap = this.config.bootstrapAdmin;
    if (bootstrap !== null) {
      const exists = await manager
        .getRepository(UserEntity)
        .createQueryBuilder('user')
        .where('user.email = :email', { email: normalizeEmail(bootstrap.email) })
        .getExists();
      if (exists) return;
      const user = await this.insertUser(
        manager,
        bootstrap.email,
        'SUPER_ADMIN',
        await hashPassword(bootstrap.password),
      );
      await this.audit.record(manager, SYSTEM, { action: 'user.bootstrapped', after: toView(user) });
      this.logger.log({ email: user.email }, 'Created the bootstrap SUPER_ADMIN from BOOTSTRAP_ADMIN_EMAIL');
      return;
    }
    if ((await manager.count(UserEntity)) > 0) return;
    if (this.config.databaseUrl !== null) {
      this.logger.warn(
        'There are no users and BOOTSTRAP_ADMIN_EMAIL / BOOTSTRAP_ADMIN_PASSWORD are not set: nobody can sign in. ' +
          'Set both and restart to create the first SUPER_ADMIN.',
      );
      return;
    }
    const password = randomBytes(18).toString('base64url');
    const user = await this.insertUser(manager, 'admin@localhost', 'SUPER_ADMIN', await hashPassword(password));
    await this.audit.record(manager, SYSTEM, { action: 'user.bootstrapped', after: toView(user) });
    const file = join(this.config.dataDir, 'initial-admin-password');
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    this.logger.log(
      { email: user.email, passwordFile: file },
      `Created the first SUPER_ADMIN admin@localhost; its password is in ${file}`,
    );
  }
}

function toView(user: UserEntity): UserDetailResponseDto {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    version: user.version,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

/** PostgreSQL's unique_violation: another transaction inserted the same unique value first. */
