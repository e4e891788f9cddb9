import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, LessThan, MoreThanOrEqual } from 'typeorm';
import { AuditEventResponseDto } from 'src/audit/audit-event.dto';
import { AuditEventEntity } from 'src/audit/audit-event.entity';
import { Actor } from 'src/auth/principal';
import { AuditQueryDto } from 'src/audit/audit-query.dto';
import { AppError } from 'src/http/app-error';
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

  /** The whole log, newest first, filtered; keyset-paged on the id like a flag's history. */
  async search(query: AuditQueryDto): Promise<{ items: AuditEventResponseDto[]; nextCursor: string | null }> {
    const before = decodeCursor<string>(query.cursor, 'string');
    if (before !== null && !/^[1-9]\d{0,17}$/.test(before)) {
      throw AppError.validation([{ field: 'cursor', message: 'cursor is not one this API returned' }]);
    }
    const since = instant('since', query.since);
    const until = instant('until', query.until);
    const builder = this.dataSource
      .getRepository(AuditEventEntity)
      .createQueryBuilder('event')
      .orderBy('event.id', 'DESC')
      .limit(query.limit + 1);
    if (query.actor !== undefined) builder.andWhere('event.actor = :actor', { actor: query.actor });
    if (query.action !== undefined) builder.andWhere('event.action = :action', { action: query.action });
    if (query.featureKey !== undefined)
      builder.andWhere('event.featureKey = :featureKey', { featureKey: query.featureKey });
    if (since !== null) builder.andWhere('event.at >= :since', { since });
    if (until !== null) builder.andWhere('event.at < :until', { until });
    if (before !== null) builder.andWhere('event.id < :before', { before });
    const rows = await builder.getMany();
    const page = rows.slice(0, query.limit);
    return {
      items: page.map(toView),
      nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1].id) : null,
    };
  }
}

/** A timestamp the format check let through but that names no real moment (month 13, +99:00) is a 400. */
function instant(field: string, value: string | undefined): Date | null {
  if (value === undefined) return null;
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(value);
  const time = Date.parse(value);
  if (Number.isNaN(time) || (offset !== null && (Number(offset[2]) > 23 || Number(offset[3]) > 59))) {
    throw AppError.validation([{ field, message: `${field} is not a valid moment` }]);
  }
  return new Date(time);
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
