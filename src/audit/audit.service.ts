import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, LessThan, MoreThanOrEqual } from 'typeorm';
import { AuditEventResponseDto } from 'src/audit/audit-event.dto';
import { AuditEventEntity } from 'src/audit/audit-event.entity';
import { Actor } from 'src/auth/principal';
import { decodeCursor, encodeCursor } from 'src/http/page-query.dto';

export type AuditChange = Readonly<{
  action: string;
  featureKey?: string | null;
  before?: object | null;
  after?: object | null;
  reason?: string | null;
}>;

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Writes the event with the caller's transaction, so the change and its audit commit together. */
  async record(manager: EntityManager, actor: Actor, change: AuditChange): Promise<void> {
    await manager.insert(AuditEventEntity, {
      at: new Date(),
      actor: actor.name,
      actorRole: actor.role,
      action: change.action,
      featureKey: change.featureKey ?? null,
      before: change.before ?? null,
      after: change.after ?? null,
      reason: change.reason ?? null,
      requestId: actor.requestId,
    });
  }

  /** A flag's latest events since a moment (at most `limit`), oldest first. */
  async eventsSince(featureKey: string, since: Date, limit = 200): Promise<AuditEventResponseDto[]> {
    const rows = await this.dataSource.getRepository(AuditEventEntity).find({
      where: { featureKey, at: MoreThanOrEqual(since) },
      order: { id: 'DESC' },
      take: limit,
    });
    return rows.reverse().map(toView);
  }

  async historyOf(
    featureKey: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: AuditEventResponseDto[]; nextCursor: string | null }> {
    const before = decodeCursor<string>(cursor, 'string');
    const rows = await this.dataSource.getRepository(AuditEventEntity).find({
      where: { featureKey, ...(before === null ? {} : { id: LessThan(before) }) },
      order: { id: 'DESC' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map(toView),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null,
    };
  }
}

function toView(row: AuditEventEntity): AuditEventResponseDto {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    actorRole: row.actorRole,
    action: row.action,
    featureKey: row.featureKey,
    before: row.before,
    after: row.after,
    reason: row.reason,
    requestId: row.requestId,
  };
}
