import {
  Alert,
  CheckResult,
  MATCHING_CRITICAL_FACTOR,
  MIN_TREATMENT_REQUESTS,
  RELATIVE_MARGIN,
  alertOf,
  formatPercent,
  rateOf,
  resultOf,
} from 'src/beta-monitor/checks';
import {
  MIXTURE_RATE_RATIOS,
  PHASE_ALPHA,
  Segment,
  SequentialResult,
  sequentialTest,
  totalsOf,
} from 'src/beta-monitor/sequential';

/*
 * The checks over the whole phase (docs/beta-monitor-checks.md §8): the cumulative 5xx rate and
 * matching success of treatment against control, from the phase's start to the checkpoint's
 * window end, one hour per segment, judged by the always-valid test of sequential.ts. Plain
 * inputs in, a CheckResult out.
 */

export const PHASE_5XX_CHECK = 'error_rate_5xx_phase';
export const PHASE_MATCHING_CHECK = 'matching_success_phase';

/** One arm's counts in one hour of the phase. */
export type PhaseArm = Readonly<{ requests: number; c5xx: number; matchingTotal: number; matchingSuccess: number }>;
/** One clock hour of the phase (the first and the last may be partial). */
export type PhaseHour = Readonly<{ start: string; treatment: PhaseArm; control: PhaseArm }>;

const METHOD =
  'mixture likelihood ratio on the treatment share of events per hour, rate ratios 1.1–10 equally weighted; always valid (Ville)';

function testEvidence(hours: readonly PhaseHour[], test: SequentialResult): Record<string, unknown> {
  return {
    hours: hours.length,
    informativeHours: test.informativeSegments,
    from: hours[0]?.start ?? null,
    log10EValue: test.log10EValue,
    log10MaxEValue: test.log10MaxEValue,
    pValue: test.pValue,
    alpha: test.alpha,
    threshold: test.threshold,
    rejected: test.rejected,
    rejectedInHour: test.rejectedAtSegment === null ? null : (hours[test.rejectedAtSegment]?.start ?? null),
    method: METHOD,
    rateRatios: MIXTURE_RATE_RATIOS,
  };
}

const pText = (test: SequentialResult): string => `always-valid p = ${test.pValue.toPrecision(2)} < ${test.alpha}`;

/**
 * 5xx over the phase. The test rejected and the cumulative treatment 5xx rate is above control × 1.10
 * → ERROR_RATE_5XX CRITICAL; rejected but within + 10 % → WARN. No control traffic in the phase,
 * or fewer than 30 treatment requests without a rejection → INSUFFICIENT_DATA.
 */
export function checkErrorRate5xxPhase(hours: readonly PhaseHour[]): CheckResult {
  const segments: Segment[] = hours.map(({ treatment, control }) => ({
    treatmentEvents: treatment.c5xx,
    treatmentExposure: treatment.requests,
    controlEvents: control.c5xx,
    controlExposure: control.requests,
  }));
  const test = sequentialTest(segments, PHASE_ALPHA);
  const sum = totalsOf(segments);
  const treatmentRate = rateOf(sum.treatmentEvents, sum.treatmentExposure);
  const controlRate = rateOf(sum.controlEvents, sum.controlExposure);
  const evidence = {
    treatment: { requests: sum.treatmentExposure, c5xx: sum.treatmentEvents, rate5xx: treatmentRate },
    control: { requests: sum.controlExposure, c5xx: sum.controlEvents, rate5xx: controlRate },
    rateRatio: controlRate > 0 ? treatmentRate / controlRate : null,
    ...testEvidence(hours, test),
  };
  const alerts: Alert[] = [];
  if (test.rejected && treatmentRate > controlRate) {
    const what =
      `5xx rate over the phase ${formatPercent(treatmentRate)} (${sum.treatmentEvents} of ${sum.treatmentExposure}) ` +
      `against control ${formatPercent(controlRate)} (${sum.controlEvents} of ${sum.controlExposure})`;
    const observed = {
      c5xx: sum.treatmentEvents,
      total: sum.treatmentExposure,
      rate5xx: treatmentRate,
      pValue: test.pValue,
    };
    const expected = {
      source: 'control, whole phase',
      rate5xx: controlRate,
      criticalAbove: controlRate * RELATIVE_MARGIN,
    };
    if (treatmentRate > controlRate * RELATIVE_MARGIN)
      alerts.push(
        alertOf('ERROR_RATE_5XX', 'CRITICAL', `${what}: increase over the phase (${pText(test)})`, observed, expected),
      );
    else
      alerts.push(
        alertOf(
          'ERROR_RATE_5XX',
          'WARN',
          `${what}: significant over the phase (${pText(test)}) but within control + 10 %`,
          observed,
          expected,
        ),
      );
  }
  const missing =
    sum.controlExposure === 0
      ? 'no control traffic in the phase to compare with'
      : sum.treatmentExposure < MIN_TREATMENT_REQUESTS
        ? `${sum.treatmentExposure} treatment request(s) in the phase, ${MIN_TREATMENT_REQUESTS} needed`
        : null;
  if (missing !== null && alerts.length === 0)
    return { name: PHASE_5XX_CHECK, outcome: 'INSUFFICIENT_DATA', alerts, evidence: { ...evidence, message: missing } };
  return resultOf(PHASE_5XX_CHECK, alerts, evidence);
}

/**
 * Matching success over the phase, the same test on failed matches. Rejected and the treatment's
 * success rate below control × 0.9 → MATCHING_SUCCESS_DROP CRITICAL; rejected and below control →
 * WARN. No matching outcomes in either arm → INSUFFICIENT_DATA.
 */
export function checkMatchingSuccessPhase(hours: readonly PhaseHour[]): CheckResult {
  const segments: Segment[] = hours.map(({ treatment, control }) => ({
    treatmentEvents: treatment.matchingTotal - treatment.matchingSuccess,
    treatmentExposure: treatment.matchingTotal,
    controlEvents: control.matchingTotal - control.matchingSuccess,
    controlExposure: control.matchingTotal,
  }));
  const test = sequentialTest(segments, PHASE_ALPHA);
  const sum = totalsOf(segments);
  const treatmentRate = rateOf(sum.treatmentExposure - sum.treatmentEvents, sum.treatmentExposure);
  const controlRate = rateOf(sum.controlExposure - sum.controlEvents, sum.controlExposure);
  const evidence = {
    treatment: {
      total: sum.treatmentExposure,
      success: sum.treatmentExposure - sum.treatmentEvents,
      successRate: treatmentRate,
    },
    control: { total: sum.controlExposure, success: sum.controlExposure - sum.controlEvents, successRate: controlRate },
    ...testEvidence(hours, test),
  };
  const alerts: Alert[] = [];
  if (test.rejected && treatmentRate < controlRate) {
    const what =
      `matching success over the phase ${formatPercent(treatmentRate)} (${sum.treatmentExposure - sum.treatmentEvents} of ${sum.treatmentExposure}) ` +
      `is below control ${formatPercent(controlRate)} (${sum.controlExposure - sum.controlEvents} of ${sum.controlExposure})`;
    const observed = { successRate: treatmentRate, total: sum.treatmentExposure, pValue: test.pValue };
    const critical = treatmentRate < controlRate * MATCHING_CRITICAL_FACTOR;
    const expected = { baselineRate: controlRate, criticalBelow: controlRate * MATCHING_CRITICAL_FACTOR };
    alerts.push(
      alertOf(
        'MATCHING_SUCCESS_DROP',
        critical ? 'CRITICAL' : 'WARN',
        `${what}${critical ? ' − 10 %' : ''}, significant over the phase (${pText(test)})`,
        observed,
        expected,
      ),
    );
  }
  const missing =
    sum.treatmentExposure === 0
      ? 'no treatment matching outcomes in the phase'
      : sum.controlExposure === 0
        ? 'no control matching outcomes in the phase to compare with'
        : null;
  if (missing !== null && alerts.length === 0)
    return {
      name: PHASE_MATCHING_CHECK,
      outcome: 'INSUFFICIENT_DATA',
      alerts,
      evidence: { ...evidence, message: missing },
    };
  return resultOf(PHASE_MATCHING_CHECK, alerts, evidence);
}
