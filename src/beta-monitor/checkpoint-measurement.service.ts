import { Injectable } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import { PhaseResponseDto } from 'src/beta-monitor/beta-monitor.dto';
import {
  CheckResult,
  MIN_CONTROL_REQUESTS,
  checkComplaints,
  checkConfig,
  checkDeterminism,
  checkHttpErrors,
  checkLatency,
  checkMatching,
  verdict,
} from 'src/beta-monitor/checks';
import { NewCheckpoint } from 'src/beta-monitor/checkpoints.repository';
import { ComplaintsService } from 'src/beta-monitor/complaints.service';
import { checkSampleRatio, checkTelemetryCoverage, markUnreliable } from 'src/beta-monitor/coverage-checks';
import { DataCoverageService } from 'src/beta-monitor/data-coverage.service';
import { PhaseMeasurementService } from 'src/beta-monitor/phase-measurement.service';
import { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';
import { FlagReadModel } from 'src/feature-flags/flag-read-model';
import { Evaluation } from 'src/feature-flags/resolver';
import { TelemetryAggregate } from 'src/telemetry/telemetry-aggregator';
import { TelemetryService } from 'src/telemetry/telemetry.service';

/** What a checkpoint measured: everything of its row but the who, when and how long. */
export type Measurement = Pick<
  NewCheckpoint,
  'config' | 'metrics' | 'determinism' | 'evidence' | 'alerts' | 'status' | 'health' | 'coverage'
>;

/** Flag changes that can explain config drift. */
const CONFIG_ACTIONS = new Set([
  'flag.updated',
  'flag.archived',
  'allowlist.added',
  'allowlist.removed',
  'allowlist.cleared',
]);

type PrePhaseBaseline = {
  http?: TelemetryAggregate['http'];
  latencyP95?: number | null;
  matching?: TelemetryAggregate['matching'];
} | null;

/**
 * Gathers a checkpoint's inputs (the flag's config and its changes, the determinism probes, the
 * window's telemetry, complaints), runs every check of `checks.ts` over them and returns the
 * verdict with its evidence. Reads only; storing is the caller's job.
 */
@Injectable()
export class CheckpointMeasurementService {
  constructor(
    private readonly flags: FeatureFlagsService,
    private readonly flagsRead: FlagReadModel,
    private readonly telemetry: TelemetryService,
    private readonly complaints: ComplaintsService,
    private readonly audit: AuditService,
    private readonly coverage: DataCoverageService,
    private readonly phaseMeasurement: PhaseMeasurementService,
  ) {}

  async measure(key: string, phase: PhaseResponseDto, from: Date, to: Date): Promise<Measurement> {
    const flag = await this.flags.get(key);
    const actual = {
      enabled: flag.enabled,
      rolloutPercentage: flag.rolloutPercentage,
      allowlistCount: flag.allowlistCount,
      masterSwitch: flag.masterSwitch,
      version: flag.version,
    };
    const since = phase.startedAt ? new Date(phase.startedAt) : from;
    const changes = (await this.audit.eventsSince(key, since)).filter((event) => CONFIG_ACTIONS.has(event.action));
    const determinism = await this.probe(key, phase);
    await this.telemetry.flush();
    const window = await this.telemetry.window(key, from, to);
    const prePhase = (phase.baseline ?? null) as PrePhaseBaseline;
    const complaints = await this.complaints.between(key, from, to);
    const controlHasTraffic = window.off.http.total >= MIN_CONTROL_REQUESTS;
    const coverage = await this.coverage.measure(key, window, from, to);
    const sampleRatio = checkSampleRatio({ rolloutPercentage: phase.expected.rolloutPercentage, coverage });
    const checked: CheckResult[] = [
      checkConfig({ actual, expected: phase.expected, allowlistTolerance: phase.allowlistTolerance, changes }),
      checkDeterminism(phase.determinismProbes, determinism),
      checkHttpErrors({
        treatment: window.on.http,
        control: window.off.http,
        prePhase: prePhase?.http ?? null,
        thresholds: phase.thresholds,
      }),
      checkLatency({
        treatmentP95: window.on.latencyP95,
        baselineP95: controlHasTraffic ? window.off.latencyP95 : (prePhase?.latencyP95 ?? null),
        treatmentCount: window.on.http.total,
        thresholds: phase.thresholds,
      }),
      checkComplaints(complaints.map((complaint) => ({ ...complaint, at: complaint.createdAt }))),
      checkMatching({
        treatment: window.on.matching,
        baseline: window.off.matching.total > 0 ? window.off.matching : (prePhase?.matching ?? null),
      }),
      ...(await this.phaseMeasurement.checks(key, phase.startedAt, to)),
    ];
    // Data coverage last: a blind or misattributed window must not look healthy (docs/beta-monitor-checks.md).
    const results = [...markUnreliable(checked, sampleRatio), checkTelemetryCoverage(coverage), sampleRatio];
    const { status, health } = verdict(results);
    return {
      status,
      health,
      coverage,
      alerts: results.flatMap((result) => result.alerts),
      config: { actual, expected: phase.expected, allowlistTolerance: phase.allowlistTolerance },
      determinism: { probes: determinism },
      metrics: {
        // flagdog's own evaluations of the flag in the window, every instance's (the data coverage's counts).
        featureFlagRequests: coverage.evaluationsOn + coverage.evaluationsOff,
        http: { treatment: window.on.http, control: window.off.http },
        latencyP95Ms: { treatment: window.on.latencyP95, control: window.off.latencyP95 },
        matching: { treatment: window.on.matching, control: window.off.matching },
        complaints: complaints.length,
      },
      evidence: Object.fromEntries(
        results.map((result) => [result.name, { outcome: result.outcome, ...result.evidence }]),
      ),
    };
  }

  /**
   * Each probe through the live resolver twice (the in-memory snapshot, as evaluation answers)
   * and once from a fresh database read, so a snapshot that drifted from the database shows.
   */
  private async probe(
    key: string,
    phase: PhaseResponseDto,
  ): Promise<{ subjectId: string; live: Evaluation[]; fresh: Evaluation | null }[]> {
    const results = [];
    for (const { subjectId } of phase.determinismProbes) {
      const live = [0, 1].map(() => this.flagsRead.evaluateLive(key, subjectId));
      results.push({ subjectId, live, fresh: await this.flagsRead.evaluateFresh(key, subjectId) });
    }
    return results;
  }
}
