/*
 * An always-valid sequential test for "the treatment has more events than its control" over a
 * whole phase (docs/adr/0016-sequential-test-over-the-phase.md, docs/beta-monitor-checks.md).
 *
 * Events are 5xx answers among requests, or failed matches among matching outcomes. Within one
 * segment of the phase (an hour), given that n events happened in treatment and control
 * together, the number in treatment is, when both arms have the same event rate, at most as
 * spread as Binomial(n, p0) with p0 the treatment's share of the exposure (requests or
 * outcomes). Against a rate ratio θ, the treatment's share of the events is
 * p(θ) = θ·p0 / (θ·p0 + 1 − p0). The likelihood ratio of Binomial(n, p(θ)) to Binomial(n, p0)
 * has expectation at most 1 under equal rates (Hoeffding: sampling without replacement is
 * dominated in convex order), so the product over segments, mixed over a fixed prior on θ, is a
 * test supermartingale; by Ville's inequality it ever reaches 1/alpha with probability at most
 * alpha, however often it is looked at. Pure functions: no Nest, no database, no clock.
 */

/** False alarms allowed over a whole phase, however many checkpoints look (one-sided: harm only). */
export const PHASE_ALPHA = 0.01;

/** The rate ratios (treatment ÷ control) the mixture spreads its weight over, equally. */
export const MIXTURE_RATE_RATIOS: readonly number[] = [1.1, 1.25, 1.5, 2, 3, 5, 10];

/** One segment of the phase: events and exposure of each arm. */
export type Segment = Readonly<{
  treatmentEvents: number;
  treatmentExposure: number;
  controlEvents: number;
  controlExposure: number;
}>;

export type SequentialResult = Readonly<{
  /** log10 of the mixture likelihood ratio (the e-value) on all the data so far. */
  log10EValue: number;
  /** log10 of the largest e-value at any segment's end so far (the running maximum). */
  log10MaxEValue: number;
  /** Always-valid p-value: min(1, 1 / largest e-value so far); it only ever goes down. */
  pValue: number;
  alpha: number;
  /** The e-value that rejects: 1 / alpha. */
  threshold: number;
  rejected: boolean;
  /** Index of the first segment at whose end the e-value reached 1 / alpha, else null. */
  rejectedAtSegment: number | null;
  /** Segments that carried information (both arms exposed and at least one event). */
  informativeSegments: number;
}>;

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer (got ${value})`);
}

function assertSegment(segment: Segment): void {
  assertCount('treatmentEvents', segment.treatmentEvents);
  assertCount('treatmentExposure', segment.treatmentExposure);
  assertCount('controlEvents', segment.controlEvents);
  assertCount('controlExposure', segment.controlExposure);
  if (segment.treatmentEvents > segment.treatmentExposure)
    throw new RangeError(
      `treatment events exceed exposure (${segment.treatmentEvents} of ${segment.treatmentExposure})`,
    );
  if (segment.controlEvents > segment.controlExposure)
    throw new RangeError(`control events exceed exposure (${segment.controlEvents} of ${segment.controlExposure})`);
}

/** The treatment's share of the events expected at rate ratio θ when its share of the exposure is p0. */
export function eventShare(p0: number, theta: number): number {
  return (theta * p0) / (theta * p0 + 1 - p0);
}

/**
 * Natural log of one segment's likelihood ratio for rate ratio θ. A segment without events, or
 * with one arm unexposed, says nothing (0): with no control there is nothing to compare with.
 */
export function segmentLogLikelihoodRatio(segment: Segment, theta: number): number {
  assertSegment(segment);
  if (!(theta > 0) || !Number.isFinite(theta)) throw new RangeError(`theta must be positive (got ${theta})`);
  const events = segment.treatmentEvents + segment.controlEvents;
  if (events === 0 || segment.treatmentExposure === 0 || segment.controlExposure === 0) return 0;
  const p0 = segment.treatmentExposure / (segment.treatmentExposure + segment.controlExposure);
  const p1 = eventShare(p0, theta);
  const x = segment.treatmentEvents;
  return x * Math.log(p1 / p0) + (events - x) * (Math.log1p(-p1) - Math.log1p(-p0));
}

/** log(Σ w·e^l) with equal weights, without overflow. */
function logMixture(logRatios: readonly number[]): number {
  const top = Math.max(...logRatios);
  const sum = logRatios.reduce((total, value) => total + Math.exp(value - top), 0);
  return top + Math.log(sum / logRatios.length);
}

/**
 * The mixture sequential test over the segments in time order. The e-value is computed at the
 * end of each segment (each hour of the phase, what the hourly checkpoints look at); the
 * p-value uses the largest of them, so it is valid whenever the phase is looked at and never
 * goes back up. Reject when the e-value has reached 1 / alpha.
 */
export function sequentialTest(
  segments: readonly Segment[],
  alpha: number = PHASE_ALPHA,
  rateRatios: readonly number[] = MIXTURE_RATE_RATIOS,
): SequentialResult {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1) (got ${alpha})`);
  if (rateRatios.length === 0 || rateRatios.some((theta) => !(theta > 1) || !Number.isFinite(theta)))
    throw new RangeError('the mixture needs rate ratios above 1');
  const cumulative = rateRatios.map(() => 0);
  const logThreshold = -Math.log(alpha);
  let logE = 0;
  let logMax = 0;
  let rejectedAtSegment: number | null = null;
  let informativeSegments = 0;
  segments.forEach((segment, index) => {
    let informative = false;
    rateRatios.forEach((theta, i) => {
      const step = segmentLogLikelihoodRatio(segment, theta);
      if (step !== 0) informative = true;
      cumulative[i] += step;
    });
    if (informative) informativeSegments += 1;
    logE = logMixture(cumulative);
    if (logE > logMax) logMax = logE;
    if (rejectedAtSegment === null && logE >= logThreshold) rejectedAtSegment = index;
  });
  return {
    log10EValue: logE / Math.LN10,
    log10MaxEValue: logMax / Math.LN10,
    pValue: Math.min(1, Math.exp(-logMax)),
    alpha,
    threshold: 1 / alpha,
    rejected: rejectedAtSegment !== null,
    rejectedAtSegment,
    informativeSegments,
  };
}

/** Events and exposure of both arms summed over the segments. */
export function totalsOf(segments: readonly Segment[]): Segment {
  return segments.reduce<Segment>(
    (sum, segment) => ({
      treatmentEvents: sum.treatmentEvents + segment.treatmentEvents,
      treatmentExposure: sum.treatmentExposure + segment.treatmentExposure,
      controlEvents: sum.controlEvents + segment.controlEvents,
      controlExposure: sum.controlExposure + segment.controlExposure,
    }),
    { treatmentEvents: 0, treatmentExposure: 0, controlEvents: 0, controlExposure: 0 },
  );
}
