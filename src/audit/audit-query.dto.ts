import { IsOmittable } from 'src/http/is-omittable.decorator';
import { IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from 'src/http/page-query.dto';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Filters of the audit log; all of them together (AND). */
export class AuditQueryDto extends PageQueryDto {
  /** Exactly this actor: a user's email (as stored, lower-case), a service token's name, or `beta-monitor`. */
  @IsOmittable()
  @IsString()
  @MaxLength(320)
  actor?: string;

  /** Exactly this action, e.g. `flag.updated`, `user.deleted`, `service_token.revoked`. */
  @IsOmittable()
  @Matches(/^[a-z][a-z0-9_]{0,63}(\.[a-z0-9_]{1,64}){0,3}$/, { message: 'action must look like flag.updated' })
  action?: string;

  /** Events of this flag only. */
  @IsOmittable()
  @Matches(/^[a-z][a-z0-9_]{2,63}$/, { message: 'featureKey must be a flag key' })
  featureKey?: string;

  /** ISO-8601 with a time zone; events at or after. */
  @IsOmittable()
  @Matches(ISO_TIMESTAMP, { message: 'since must be an ISO-8601 timestamp with a time zone' })
  since?: string;

  /** ISO-8601 with a time zone; events before. */
  @IsOmittable()
  @Matches(ISO_TIMESTAMP, { message: 'until must be an ISO-8601 timestamp with a time zone' })
  until?: string;
}
