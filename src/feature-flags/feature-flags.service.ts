import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AuditService } from 'src/audit/audit.service';
import { ChangeFeedService, ChangeKind, FlagChangeState } from 'src/change-feed/change-feed.service';
import { Actor, Principal } from 'src/auth/principal';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import {
  AuditEventListResponseDto,
  FeatureFlagCreateDto,
  FeatureFlagListResponseDto,
  FeatureFlagResponseDto,
  FeatureFlagUpdateDto,
} from 'src/feature-flags/feature-flag.dto';
import { FeatureFlagEntity } from 'src/feature-flags/feature-flag.entity';
import { basisPointsToPercentage, missingPermission, percentageToBasisPoints } from 'src/feature-flags/rollout';
import { isUniqueViolation } from 'src/database/postgres-errors';
import { AppError } from 'src/http/app-error';

export type FlagChange = Readonly<{
  description?: string;
  enabled?: boolean;
  rolloutPercentage?: number;
  reason?: string;
}>;

@Injectable()
export class FeatureFlagsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly feed: ChangeFeedService,
  ) {}

  /**
   * Runs a write in a transaction, then brings this instance's snapshot up to date, so a
   * caller that changes a flag and evaluates it next sees its own change.
   */
  async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(work);
    await this.feed.pull();
    return result;
  }

  async list(includeArchived = false): Promise<FeatureFlagListResponseDto> {
    const rows = await this.dataSource.getRepository(FeatureFlagEntity).find({
      where: includeArchived ? {} : { archivedAt: IsNull() },
      order: { key: 'ASC' },
    });
    return { items: rows.map((row) => this.toView(row)) };
  }

  async get(key: string): Promise<FeatureFlagResponseDto> {
    const flag = await this.dataSource.getRepository(FeatureFlagEntity).findOneBy({ key, archivedAt: IsNull() });
    if (!flag) throw flagNotFound(key);
    return this.toView(flag);
  }

  async create(actor: Actor, dto: FeatureFlagCreateDto): Promise<FeatureFlagResponseDto> {
    return this.write(async (manager) => {
      const existing = await manager.findOneBy(FeatureFlagEntity, { key: dto.key });
      if (existing) {
        const archived = existing.archivedAt !== null ? ' (archived; its history is kept under this key)' : '';
        throw new AppError(409, 'FLAG_EXISTS', `A flag with the key ${dto.key} exists${archived}.`);
      }
      const now = new Date();
      const flag = manager.create(FeatureFlagEntity, {
        key: dto.key,
        description: dto.description ?? '',
        enabled: dto.enabled ?? false,
        rolloutBasisPoints: basisPointsOf(dto.rolloutPercentage ?? 0),
        allowlistCount: 0,
        version: 1,
        archivedAt: null,
        createdAt: now,
        updatedAt: now,
        updatedBy: actor.name,
      });
      await manager.insert(FeatureFlagEntity, flag).catch((error: unknown) => {
        throw isUniqueViolation(error)
          ? new AppError(409, 'FLAG_EXISTS', `A flag with the key ${dto.key} exists.`)
          : error;
      });
      await this.feed.append(manager, { kind: 'flag', featureKey: flag.key, state: changeState(flag) });
      await this.audit.record(manager, actor, {
        action: 'flag.created',
        featureKey: flag.key,
        after: auditState(flag),
        reason: dto.reason,
      });
      return this.toView(flag);
    });
  }

  /**
   * PUT and PATCH, and every other route that changes a flag's state. Whoever may reduce
   * exposure may call it; `missingPermission` decides what else the change needs (growing
   * exposure, editing the description). A change that changes nothing writes nothing.
   */
  async update(
    principal: Principal,
    actor: Actor,
    key: string,
    change: FeatureFlagUpdateDto,
    ifMatch?: string,
  ): Promise<FeatureFlagResponseDto> {
    return this.write(async (manager) => {
      const flag = await this.lockForChange(manager, key, ifMatch);
      const before = auditState(flag);
      const next = {
        description: change.description ?? flag.description,
        enabled: change.enabled ?? flag.enabled,
        rolloutBasisPoints:
          change.rolloutPercentage === undefined ? flag.rolloutBasisPoints : basisPointsOf(change.rolloutPercentage),
      };
      const missing = missingPermission(principal.role, { before: flag, after: next });
      if (missing !== null) throw AppError.permissionDenied(missing);
      const unchanged =
        next.description === flag.description &&
        next.enabled === flag.enabled &&
        next.rolloutBasisPoints === flag.rolloutBasisPoints;
      if (unchanged) return this.toView(flag);
      Object.assign(flag, next);
      await this.touch(manager, flag, actor);
      await this.audit.record(manager, actor, {
        action: 'flag.updated',
        featureKey: key,
        before,
        after: auditState(flag),
        reason: change.reason,
      });
      return this.toView(flag);
    });
  }

  async archive(actor: Actor, key: string, reason?: string, ifMatch?: string): Promise<void> {
    await this.write(async (manager) => {
      const flag = await this.lockForChange(manager, key, ifMatch);
      const before = auditState(flag);
      flag.archivedAt = new Date();
      await this.touch(manager, flag, actor);
      await this.audit.record(manager, actor, {
        action: 'flag.archived',
        featureKey: key,
        before,
        after: auditState(flag),
        reason,
      });
    });
  }

  async history(key: string, limit: number, cursor?: string): Promise<AuditEventListResponseDto> {
    const exists = await this.dataSource.getRepository(FeatureFlagEntity).existsBy({ key });
    if (!exists) throw flagNotFound(key);
    return this.audit.historyOf(key, limit, cursor);
  }

  /**
   * Locks a live flag's row for the rest of the transaction, so concurrent writers to one flag
   * (and its allowlist) queue instead of losing updates; checks If-Match against its version.
   */
  async lockForChange(manager: EntityManager, key: string, ifMatch?: string): Promise<FeatureFlagEntity> {
    const flag = await manager
      .getRepository(FeatureFlagEntity)
      .createQueryBuilder('flag')
      .setLock('pessimistic_write')
      .where('flag.key = :key AND flag.archivedAt IS NULL', { key })
      .getOne();
    if (!flag) throw flagNotFound(key);
    if (ifMatch !== undefined && !etagMatches(ifMatch, flag.version)) throw AppError.versionConflict(flag.version);
    return flag;
  }

  /**
   * Saves a locked flag after a change to it or to its allowlist: bumps its version and appends
   * the change (with the allowlist delta, if any) to the change feed.
   */
  async touch(
    manager: EntityManager,
    flag: FeatureFlagEntity,
    actor: Actor,
    delta: Readonly<{ kind: ChangeKind; subjectIds?: string[] }> = { kind: 'flag' },
  ): Promise<void> {
    flag.version += 1;
    flag.updatedAt = new Date();
    flag.updatedBy = actor.name;
    await manager.update(
      FeatureFlagEntity,
      { key: flag.key },
      {
        description: flag.description,
        enabled: flag.enabled,
        rolloutBasisPoints: flag.rolloutBasisPoints,
        allowlistCount: flag.allowlistCount,
        version: flag.version,
        archivedAt: flag.archivedAt,
        updatedAt: flag.updatedAt,
        updatedBy: flag.updatedBy,
      },
    );
    await this.feed.append(manager, { ...delta, featureKey: flag.key, state: changeState(flag) });
  }

  masterSwitchOf(key: string): 'off' | null {
    return this.config.masterSwitchesOff.has(key) ? 'off' : null;
  }

  private toView(flag: FeatureFlagEntity): FeatureFlagResponseDto {
    return {
      key: flag.key,
      description: flag.description,
      enabled: flag.enabled,
      rolloutPercentage: basisPointsToPercentage(flag.rolloutBasisPoints),
      allowlistCount: flag.allowlistCount,
      version: flag.version,
      masterSwitch: this.masterSwitchOf(flag.key),
      archivedAt: flag.archivedAt?.toISOString() ?? null,
      createdAt: flag.createdAt.toISOString(),
      updatedAt: flag.updatedAt.toISOString(),
      updatedBy: flag.updatedBy,
    };
  }
}

export function flagNotFound(key: string): AppError {
  return AppError.notFound('FLAG_NOT_FOUND', `No flag with the key ${key}.`);
}

/** `If-Match: "3"`, `W/"3"`, `3` or a list all match version 3; `*` matches any live flag. */
function etagMatches(ifMatch: string, version: number): boolean {
  return ifMatch
    .split(',')
    .map((tag) =>
      tag
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .some((tag) => tag === '*' || tag === String(version));
}

function changeState(flag: FeatureFlagEntity): FlagChangeState {
  return {
    enabled: flag.enabled,
    rolloutBasisPoints: flag.rolloutBasisPoints,
    version: flag.version,
    archived: flag.archivedAt !== null,
  };
}

function auditState(flag: FeatureFlagEntity): Record<string, unknown> {
  return {
    description: flag.description,
    enabled: flag.enabled,
    rolloutPercentage: basisPointsToPercentage(flag.rolloutBasisPoints),
    allowlistCount: flag.allowlistCount,
    version: flag.version,
    archived: flag.archivedAt !== null,
  };
}

/** A percentage the DTO let through but that is not 0.01-grained (1e-7, 5e-324) is a 400, not a 500. */
function basisPointsOf(percentage: number): number {
  try {
    return percentageToBasisPoints(percentage);
  } catch (error) {
    if (error instanceof RangeError)
      throw AppError.validation([{ field: 'rolloutPercentage', message: error.message }]);
    throw error;
  }
}
