import { PipeTransform } from '@nestjs/common';
import { MAX_EVENTS_PER_BATCH } from 'src/telemetry/telemetry-aggregator';
import { AppError, FieldProblem } from 'src/http/app-error';

export type TelemetryBatch = { events: unknown[] };

/**
 * The envelope `{events: [...]}` of a telemetry batch, checked by hand: the global
 * ValidationPipe would deep-copy 5,000 events through class-transformer (≈ 20 ms a batch, more
 * than parsing and counting them together), and a bad event must not fail the batch anyway —
 * TelemetryAggregator validates each one. Problems come out as the global pipe's do.
 */
export class TelemetryBatchPipe implements PipeTransform<unknown, TelemetryBatch> {
  transform(body: unknown): TelemetryBatch {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw AppError.validation([{ field: '', message: 'the body must be a JSON object' }]);
    }
    const problems: FieldProblem[] = [];
    for (const field of Object.keys(body)) {
      if (field !== 'events') problems.push({ field, message: `property ${field} should not exist` });
    }
    const events = (body as { events?: unknown }).events;
    if (!Array.isArray(events)) problems.push({ field: 'events', message: 'events must be an array' });
    else if (events.length > MAX_EVENTS_PER_BATCH) {
      problems.push({ field: 'events', message: `events must contain no more than ${MAX_EVENTS_PER_BATCH} elements` });
    }
    if (problems.length > 0) throw AppError.validation(problems);
    return { events: events as unknown[] };
  }
}
