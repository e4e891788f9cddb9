import { Injectable } from '@nestjs/common';
import { DataCoverage, dataCoverage } from 'src/beta-monitor/coverage-checks';
import { EvaluationMinutesService } from 'src/feature-flags/evaluation-minutes';
import { TelemetryWindow } from 'src/telemetry/telemetry-aggregator';
import { TelemetryService } from 'src/telemetry/telemetry.service';

const MINUTE_MS = 60_000;

/**
 * A checkpoint window's data coverage: the telemetry it holds, the flag's own ON/OFF evaluation
 * counts (this instance's are written first, so they are included), and when the flag's latest
 * telemetry arrived.
 */
@Injectable()
export class DataCoverageService {
  constructor(
    private readonly served: EvaluationMinutesService,
    private readonly telemetry: TelemetryService,
  ) {}

  async measure(key: string, window: TelemetryWindow, from: Date, to: Date): Promise<DataCoverage> {
    await this.served.flush();
    const evaluations = await this.served.window(key, from, to);
    const lastTelemetryAt = await this.telemetry.lastEventMinute(
      key,
      new Date(Math.ceil(to.getTime() / MINUTE_MS) * MINUTE_MS),
    );
    return dataCoverage({
      treatment: { requests: window.on.http.total, matching: window.on.matching.total },
      control: { requests: window.off.http.total, matching: window.off.matching.total },
      evaluations,
      lastTelemetryAt,
      windowEnd: to,
    });
  }
}
