import type { CheckpointCoverageDto } from 'src/beta-monitor/beta-monitor.dto';
import { Alert, CheckResult, formatPercent } from 'src/beta-monitor/checks';
import { PHASE_5XX_CHECK, PHASE_MATCHING_CHECK } from 'src/beta-monitor/phase-checks';
import { binomialTwoSided } from 'src/beta-monitor/statistics';

/*
 * Data coverage (docs/beta-monitor-checks.md): what a checkpoint saw in its window, and the
 * checks that keep a blind checkpoint from looking healthy — TELEMETRY_MISSING, the "no
 * traffic" note and the sample ratio check. Plain inputs in, CheckResults out.
 */

/** Served ON at least this often in the window and no treatment telemetry → TELEMETRY_MISSING. */
export const MIN_SERVED_ON_FOR_TELEMETRY = 10;
/** The sample ratio check's significance level, as sample ratio mismatch checks usually use. */
export const SAMPLE_RATIO_ALPHA = 0.001;
/** The sample ratio check runs from this many telemetry requests and this many evaluations in the window. */
export const MIN_SAMPLE_RATIO_REQUESTS = 100;
export const MIN_SAMPLE_RATIO_EVALUATIONS = 100;
/**
 * The checks that compare treatment with control (or a baseline): unreliable when the sample
 * ratio is off. The checks over the whole phase count this window's traffic too.
 */
export const COMPARISON_CHECKS: ReadonlySet<string> = new Set([
  'http_errors',
  'latency',
  'matching',
  PHASE_5XX_CHECK,
  PHASE_MATCHING_CHECK,
]);
export const NO_TRAFFIC_NOTE = 'no traffic in this window';

/** The window's data as the checkpoint saw it; stored in its evidence as `coverage`, answered as is. */
export type DataCoverage = CheckpointCoverageDto;

export type CoverageInput = Readonly<{
  treatment: Readonly<{ requests: number; matching: number }>;
  control: Readonly<{ requests: number; matching: number }>;
  evaluations: Readonly<{ on: number; off: number }>;
  lastTelemetryAt: Date | null;
  windowEnd: Date;
}>;

export function dataCoverage(input: CoverageInput): DataCoverage {
  const { treatment, control, evaluations, lastTelemetryAt, windowEnd } = input;
  const telemetry = treatment.requests + treatment.matching + control.requests + control.matching;
  const noTraffic = telemetry === 0 && evaluations.on + evaluations.off === 0;
  return {
    treatmentRequests: treatment.requests,
    controlRequests: control.requests,
    treatmentMatching: treatment.matching,
    controlMatching: control.matching,
    evaluationsOn: evaluations.on,
    evaluationsOff: evaluations.off,
    lastTelemetryAt: lastTelemetryAt?.toISOString() ?? null,
    secondsSinceLastTelemetry:
      lastTelemetryAt === null
        ? null
        : Math.max(0, Math.round((windowEnd.getTime() - lastTelemetryAt.getTime()) / 1000)),
    noTraffic,
    note: noTraffic ? NO_TRAFFIC_NOTE : null,
  };
}

/**
 * Data coverage and TELEMETRY_MISSING (WARN): the flag was served ON at least 10 times in the
 * window but no treatment telemetry (no HTTP request, no matching outcome under `on`) arrived.
 * The other checks then have nothing to look at, so their silence proves nothing. A window with
 * no traffic at all is INSUFFICIENT_DATA with the note; anything else PASS.
 */
export function checkTelemetryCoverage(coverage: DataCoverage): CheckResult {
  const treatmentTelemetry = coverage.treatmentRequests + coverage.treatmentMatching;
  const evidence = { ...coverage, minServedOn: MIN_SERVED_ON_FOR_TELEMETRY };
  if (coverage.noTraffic) {
    return {
      name: 'coverage',
      outcome: 'INSUFFICIENT_DATA',
      alerts: [],
      evidence: { ...evidence, message: NO_TRAFFIC_NOTE },
    };
  }
  if (coverage.evaluationsOn < MIN_SERVED_ON_FOR_TELEMETRY || treatmentTelemetry > 0) {
    return { name: 'coverage', outcome: 'PASS', alerts: [], evidence };
  }
  const since =
    coverage.lastTelemetryAt === null
      ? 'no telemetry for this flag has ever arrived'
      : `the flag's last telemetry is from ${coverage.lastTelemetryAt}`;
  const alert: Alert = {
    code: 'TELEMETRY_MISSING',
    severity: 'WARN',
    message:
      `the flag was served ON ${coverage.evaluationsOn} time(s) in the window but no treatment telemetry arrived ` +
      `(${since}): the checks below saw nothing, check the application's telemetry sender`,
    observed: { evaluationsOn: coverage.evaluationsOn, treatmentRequests: 0, treatmentMatching: 0 },
    expected: { treatmentTelemetryAtLeast: 1, whenServedOnAtLeast: MIN_SERVED_ON_FOR_TELEMETRY },
  };
  return { name: 'coverage', outcome: 'WARN', alerts: [alert], evidence };
}

export type SampleRatioInput = Readonly<{ rolloutPercentage: number; coverage: DataCoverage }>;

/**
 * The sample ratio (attribution) check, for a percentage rollout (0 < rollout < 100): the share
 * of telemetry requests reported under `on` should be the share of evaluations flagdog answered
 * ON in the same window. The exact two-sided binomial test of the `on` requests against the ON
 * share of evaluations; p < 0.001 → SAMPLE_RATIO_MISMATCH (WARN). Fewer than 100 telemetry
 * requests or 100 evaluations → INSUFFICIENT_DATA.
 */
export function checkSampleRatio(input: SampleRatioInput): CheckResult {
  const { rolloutPercentage, coverage } = input;
  const requests = coverage.treatmentRequests + coverage.controlRequests;
  const evaluations = coverage.evaluationsOn + coverage.evaluationsOff;
  const base = {
    rolloutPercentage,
    telemetryOn: coverage.treatmentRequests,
    telemetryTotal: requests,
    evaluationsOn: coverage.evaluationsOn,
    evaluationsTotal: evaluations,
    alpha: SAMPLE_RATIO_ALPHA,
    minRequests: MIN_SAMPLE_RATIO_REQUESTS,
    minEvaluations: MIN_SAMPLE_RATIO_EVALUATIONS,
  };
  const insufficient = (message: string): CheckResult => ({
    name: 'sample_ratio',
    outcome: 'INSUFFICIENT_DATA',
    alerts: [],
    evidence: { ...base, message },
  });
  if (!(rolloutPercentage > 0 && rolloutPercentage < 100))
    return insufficient(`not a percentage rollout (${rolloutPercentage} %): nothing to compare`);
  if (requests < MIN_SAMPLE_RATIO_REQUESTS || evaluations < MIN_SAMPLE_RATIO_EVALUATIONS)
    return insufficient(
      `${requests} telemetry request(s) and ${evaluations} evaluation(s) in the window; ` +
        `${MIN_SAMPLE_RATIO_REQUESTS} and ${MIN_SAMPLE_RATIO_EVALUATIONS} needed`,
    );
  const expectedShare = coverage.evaluationsOn / evaluations;
  const observedShare = coverage.treatmentRequests / requests;
  const pValue = binomialTwoSided(coverage.treatmentRequests, requests, expectedShare);
  const evidence = { ...base, observedShare, expectedShare, pValue };
  if (pValue >= SAMPLE_RATIO_ALPHA) return { name: 'sample_ratio', outcome: 'PASS', alerts: [], evidence };
  const alert: Alert = {
    code: 'SAMPLE_RATIO_MISMATCH',
    severity: 'WARN',
    message:
      `${formatPercent(observedShare)} of the telemetry requests (${coverage.treatmentRequests} of ${requests}) are ` +
      `reported under "on", but flagdog answered ON to ${formatPercent(expectedShare)} of the evaluations ` +
      `(${coverage.evaluationsOn} of ${evaluations}); p = ${pValue.toPrecision(2)}: the variant attribution is off, ` +
      `so this window's treatment/control comparisons are unreliable`,
    observed: { share: observedShare, on: coverage.treatmentRequests, total: requests, pValue },
    expected: { share: expectedShare, evaluationsOn: coverage.evaluationsOn, evaluations },
  };
  return { name: 'sample_ratio', outcome: 'WARN', alerts: [alert], evidence };
}

const UNRELIABLE = 'unreliable: the sample ratio check found the variant attribution off in this window';
const UNRELIABLE_NOTE = 'sample ratio mismatch in this window: check the variant attribution too';

/**
 * With a sample ratio mismatch, the comparison checks (http_errors, latency, matching, and the
 * two over the whole phase, whose data include this window) are marked unreliable: their
 * evidence says so and each of their alerts says to check the variant attribution. Their
 * severities are kept. A mismatch is just as likely to come from the harm itself (clients that
 * retry failed requests report more requests under `on` than evaluations answered ON) as from a
 * wrong attribution, so it must never switch off a rollback or a hold. Without a mismatch,
 * unchanged.
 */
export function markUnreliable(results: readonly CheckResult[], sampleRatio: CheckResult): CheckResult[] {
  if (!sampleRatio.alerts.some((alert) => alert.code === 'SAMPLE_RATIO_MISMATCH')) return [...results];
  return results.map((result) => {
    if (!COMPARISON_CHECKS.has(result.name)) return result;
    return {
      ...result,
      alerts: result.alerts.map((alert) => ({ ...alert, message: `${alert.message} (${UNRELIABLE_NOTE})` })),
      evidence: { ...result.evidence, unreliable: { reason: UNRELIABLE, alerts: result.alerts.map((a) => a.code) } },
    };
  });
}
