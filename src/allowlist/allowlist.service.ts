import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, MoreThan } from 'typeorm';
import { AllowlistEntryEntity } from 'src/allowlist/allowlist-entry.entity';
import {
  AllowlistAddDto,
  AllowlistAddResponseDto,
  AllowlistClearResponseDto,
  AllowlistPageResponseDto,
} from 'src/allowlist/allowlist.dto';
import { AuditService } from 'src/audit/audit.service';
import { Actor } from 'src/auth/principal';
import { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';
import { AppError } from 'src/http/app-error';
import { decodeCursor, encodeCursor } from 'src/http/page-query.dto';

/** Audit events list the subjects they touched up to this many; beyond it, the count only. */
const AUDIT_SUBJECT_LIMIT = 10_000;

@Injectable()
export class AllowlistService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly flags: FeatureFlagsService,
    private readonly audit: AuditService,
  ) {}

  async page(key: string, limit: number, cursor?: string): Promise<AllowlistPageResponseDto> {
    const after = decodeCursor<string>(cursor, 'string');
    const flag = await this.flags.get(key);
    const rows = await this.dataSource.getRepository(AllowlistEntryEntity).find({
      where: { featureKey: key, ...(after === null ? {} : { subjectId: MoreThan(after) }) },
      order: { subjectId: 'ASC' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map((row) => ({
        subjectId: row.subjectId,
        addedBy: row.addedBy,
        addedAt: row.addedAt.toISOString(),
        note: row.note,
      })),
      count: flag.allowlistCount,
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].subjectId) : null,
    };
  }

  /** Idempotent bulk add: one statement for up to 10,000 subjects, under the flag's row lock. */
  async add(actor: Actor, key: string, dto: AllowlistAddDto, ifMatch?: string): Promise<AllowlistAddResponseDto> {
    const subjectIds = [...new Set(dto.subjectIds)];
    return this.flags.write(async (manager) => {
      const flag = await this.flags.lockForChange(manager, key, ifMatch);
      const inserted: { subject_id: string }[] = await manager.query(
        `INSERT INTO allowlist_entries (feature_key, subject_id, added_by, note)
         SELECT $1, subject_id, $3, $4 FROM unnest($2::text[]) AS subject_id
         ON CONFLICT (feature_key, subject_id) DO NOTHING
         RETURNING subject_id`,
        [key, subjectIds, actor.name, dto.note ?? null],
      );
      const added = inserted.map((row) => row.subject_id);
      if (added.length > 0) {
        const before = { allowlistCount: flag.allowlistCount, version: flag.version };
        flag.allowlistCount += added.length;
        await this.flags.touch(manager, flag, actor, { kind: 'allowlist_add', subjectIds: added });
        await this.audit.record(manager, actor, {
          action: 'allowlist.added',
          featureKey: key,
          before,
          after: {
            allowlistCount: flag.allowlistCount,
            version: flag.version,
            subjectIds: added,
            note: dto.note ?? null,
          },
          reason: dto.reason,
        });
      }
      return { added: added.length, alreadyPresent: dto.subjectIds.length - added.length, count: flag.allowlistCount };
    });
  }

  async remove(actor: Actor, key: string, subjectId: string, reason?: string, ifMatch?: string): Promise<void> {
    await this.flags.write(async (manager) => {
      const flag = await this.flags.lockForChange(manager, key, ifMatch);
      const result = await manager.delete(AllowlistEntryEntity, { featureKey: key, subjectId });
      if (!result.affected) {
        throw AppError.notFound('SUBJECT_NOT_FOUND', `${subjectId} is not on the allowlist of ${key}.`);
      }
      const before = { allowlistCount: flag.allowlistCount, version: flag.version };
      flag.allowlistCount -= 1;
      await this.flags.touch(manager, flag, actor, { kind: 'allowlist_remove', subjectIds: [subjectId] });
      await this.audit.record(manager, actor, {
        action: 'allowlist.removed',
        featureKey: key,
        before,
        after: { allowlistCount: flag.allowlistCount, version: flag.version, subjectIds: [subjectId] },
        reason,
      });
    });
  }

  /** Runbook Level 1, option B: empties the allowlist, leaving enabled and rollout as they are. */
  async clear(actor: Actor, key: string, reason?: string, ifMatch?: string): Promise<AllowlistClearResponseDto> {
    return this.flags.write(async (manager) => {
      const flag = await this.flags.lockForChange(manager, key, ifMatch);
      const [{ removed, subject_ids: subjectIds }]: { removed: number; subject_ids: string[] | null }[] =
        await manager.query(
          `WITH deleted AS (DELETE FROM allowlist_entries WHERE feature_key = $1 RETURNING subject_id)
           SELECT count(*)::int AS removed,
                  CASE WHEN count(*) <= $2 THEN array_agg(subject_id ORDER BY subject_id) END AS subject_ids
           FROM deleted`,
          [key, AUDIT_SUBJECT_LIMIT],
        );
      if (removed > 0) {
        const before = { allowlistCount: flag.allowlistCount, version: flag.version, subjectIds };
        flag.allowlistCount = 0;
        await this.flags.touch(manager, flag, actor, { kind: 'allowlist_clear' });
        await this.audit.record(manager, actor, {
          action: 'allowlist.cleared',
          featureKey: key,
          before,
          after: { allowlistCount: 0, version: flag.version, removed },
          reason,
        });
      }
      return { removed, count: 0 };
    });
  }
}
