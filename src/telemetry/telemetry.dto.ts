import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import type { TelemetryRejectionCode } from 'src/telemetry/telemetry-aggregator';

/** An HTTP request the monitored application served, under the flag's `on` or `off` variant. */
export class TelemetryHttpEventDto {
  @ApiProperty({ enum: ['http'] })
  type: 'http';
  /** The key of an existing flag (^[a-z][a-z0-9_]{2,63}$) that the token may report on. */
  featureKey: string;
  /** `on` = treatment traffic, `off` = control. */
  variant: 'on' | 'off';
  /** The route template, 1–512 characters (not stored; counts are per flag and variant). */
  route: string;
  /** 100–599. */
  statusCode: number;
  /** ≥ 0. */
  latencyMs: number;
  /** When it happened (ISO-8601 with a time zone); the receive time when left out. At most 24 h old, at most 5 min ahead. */
  at?: string;
}

/** A matching attempt (the business metric) under the flag's `on` or `off` variant. */
export class TelemetryMatchingEventDto {
  @ApiProperty({ enum: ['matching'] })
  type: 'matching';
  featureKey: string;
  variant: 'on' | 'off';
  /** 1–128 characters, no control characters (validated, not stored). */
  subjectId?: string;
  matched: boolean;
  /** Time to a successful match, ≥ 0 ms; counted only when `matched` is true. */
  timeToMatchMs?: number;
  at?: string;
}

/** The request body, as documented; TelemetryBatchPipe checks it (see there why not the global pipe). */
export class TelemetryBatchDto {
  /**
   * Up to 5,000 events. Each one is validated on its own: a bad event is listed in `rejected`
   * with its index and the reason, and the others are accepted.
   */
  @ApiProperty({
    type: 'array',
    maxItems: 5000,
    items: {
      oneOf: [{ $ref: getSchemaPath(TelemetryHttpEventDto) }, { $ref: getSchemaPath(TelemetryMatchingEventDto) }],
    },
  })
  events: unknown[];
}

export class TelemetryRejectionDto {
  /** The event's index in `events`. */
  index: number;
  /**
   * `INVALID_EVENT`: malformed; `UNKNOWN_FLAG`: no live flag has this key; `FLAG_NOT_ALLOWED`:
   * the token is limited to other flags. None of them is stored; resending does not help.
   */
  @ApiProperty({ enum: ['INVALID_EVENT', 'UNKNOWN_FLAG', 'FLAG_NOT_ALLOWED'] })
  code: TelemetryRejectionCode;
  reason: string;
}

export class TelemetryIngestResponseDto {
  /** Events counted, and stored in the database before this answer. */
  accepted: number;
  rejected: TelemetryRejectionDto[];
}
