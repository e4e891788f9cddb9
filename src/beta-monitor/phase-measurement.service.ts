import { Injectable } from '@nestjs/common';
import { CheckResult } from 'src/beta-monitor/checks';
import { PhaseArm, PhaseHour, checkErrorRate5xxPhase, checkMatchingSuccessPhase } from 'src/beta-monitor/phase-checks';
import { HourlyCounts, TelemetryService } from 'src/telemetry/telemetry.service';

const EMPTY: PhaseArm = { requests: 0, c5xx: 0, matchingTotal: 0, matchingSuccess: 0 };

/** The stored hourly rows as one PhaseHour per clock hour that has any, oldest first. */
export function phaseHoursOf(rows: readonly HourlyCounts[]): PhaseHour[] {
  const hours = new Map<number, { start: string; treatment: PhaseArm; control: PhaseArm }>();
  for (const row of rows) {
    const time = row.hour.getTime();
    const hour = hours.get(time) ?? { start: row.hour.toISOString(), treatment: EMPTY, control: EMPTY };
    const { requests, c5xx, matchingTotal, matchingSuccess } = row;
    hour[row.variant === 'on' ? 'treatment' : 'control'] = { requests, c5xx, matchingTotal, matchingSuccess };
    hours.set(time, hour);
  }
  return [...hours.entries()].sort(([a], [b]) => a - b).map(([, hour]) => hour);
}

/**
 * The checkpoint's checks over the whole phase: the flag's telemetry from the phase's start to
 * the window's end, per clock hour (one query), through the always-valid tests of
 * phase-checks.ts. A phase that has not started has nothing to add.
 */
@Injectable()
export class PhaseMeasurementService {
  constructor(private readonly telemetry: TelemetryService) {}

  async checks(key: string, startedAt: string | null, to: Date): Promise<CheckResult[]> {
    if (startedAt === null) return [];
    const hours = phaseHoursOf(await this.telemetry.hourly(key, new Date(startedAt), to));
    return [checkErrorRate5xxPhase(hours), checkMatchingSuccessPhase(hours)];
  }
}
