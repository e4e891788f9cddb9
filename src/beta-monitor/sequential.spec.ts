import {
  MIXTURE_RATE_RATIOS,
  PHASE_ALPHA,
  Segment,
  eventShare,
  segmentLogLikelihoodRatio,
  sequentialTest,
  totalsOf,
} from 'src/beta-monitor/sequential';

const segment = (
  treatmentEvents: number,
  treatmentExposure: number,
  controlEvents: number,
  controlExposure: number,
): Segment => ({
  treatmentEvents,
  treatmentExposure,
  controlEvents,
  controlExposure,
});

/** A seeded generator (mulberry32), so the simulations below are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Binomial(n, p) by geometric skips between successes: about n·p draws instead of n. */
const binomial = (n: number, p: number, next: () => number): number => {
  let count = 0;
  for (
    let at = Math.floor(Math.log(1 - next()) / Math.log1p(-p));
    at < n;
    at += 1 + Math.floor(Math.log(1 - next()) / Math.log1p(-p))
  )
    count += 1;
  return count;
};

describe('sequential: known values', () => {
  it('the event share at rate ratio θ: θ·p0 / (θ·p0 + 1 − p0)', () => {
    expect(eventShare(0.5, 1)).toBe(0.5);
    expect(eventShare(0.5, 3)).toBe(0.75);
    expect(eventShare(0.01, 2)).toBeCloseTo(0.02 / 1.01, 15);
  });

  it('one segment, one event in treatment, equal exposure: the e-value is the mean of 2θ/(θ+1)', () => {
    const expected = MIXTURE_RATE_RATIOS.reduce((sum, theta) => sum + (2 * theta) / (theta + 1), 0) / 7;
    const test = sequentialTest([segment(1, 10, 0, 10)]);
    expect(10 ** test.log10EValue).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(1.382416, 5);
    expect(test.pValue).toBeCloseTo(1 / expected, 12);
    expect(test.rejected).toBe(false);
  });

  it('the segment log likelihood ratio is the binomial one: x·log(p1/p0) + (n − x)·log((1 − p1)/(1 − p0))', () => {
    // 3 of 4 events in treatment, which has 1/5 of the exposure, at θ = 2: p0 = 0.2, p1 = 1/3.
    const expected = 3 * Math.log(1 / 3 / 0.2) + Math.log(2 / 3 / 0.8);
    expect(segmentLogLikelihoodRatio(segment(3, 100, 1, 400), 2)).toBeCloseTo(expected, 12);
  });

  it('Phase 2, a doubled 5xx rate over one hour (40 of 2,000 against 1,980 of 198,000) rejects at once', () => {
    const test = sequentialTest([segment(40, 2_000, 1_980, 198_000)]);
    expect(test.rejected).toBe(true);
    expect(test.rejectedAtSegment).toBe(0);
    expect(test.pValue).toBeLessThan(0.005);
  });

  it('equal rates over a day of Phase 2 do not reject', () => {
    const day = Array.from({ length: 24 }, () => segment(20, 2_000, 1_980, 198_000));
    const test = sequentialTest(day);
    expect(test.rejected).toBe(false);
    expect(test.pValue).toBe(1);
    expect(test.log10EValue).toBeLessThan(0);
  });

  it('the e-value at which it rejects is 1 / alpha', () => {
    expect(sequentialTest([], 0.01).threshold).toBe(100);
    expect(PHASE_ALPHA).toBe(0.01);
  });
});

describe('sequential: monotonicity', () => {
  it('more treatment events, all else equal → larger e-value, smaller p-value', () => {
    const values = [0, 1, 2, 4, 8, 16].map((x) => sequentialTest([segment(x, 500, 50, 50_000)]).log10EValue);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
  });

  it('more control events, all else equal → smaller e-value', () => {
    const values = [0, 10, 50, 200].map((c) => sequentialTest([segment(5, 500, c, 50_000)]).log10EValue);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1]);
  });

  it('the p-value never goes back up when a quiet hour follows a loud one', () => {
    const loud = segment(30, 2_000, 1_980, 198_000);
    const quiet = segment(10, 2_000, 1_980, 198_000);
    const after = sequentialTest([loud]);
    const later = sequentialTest([loud, quiet]);
    expect(later.log10EValue).toBeLessThan(after.log10EValue);
    expect(later.pValue).toBe(after.pValue);
  });

  it('a doubled rate accumulates evidence hour after hour', () => {
    const hours = Array.from({ length: 24 }, () => segment(2, 50, 10_000, 1_000_000));
    const e = [1, 4, 12, 24].map((h) => sequentialTest(hours.slice(0, h)).log10EValue);
    for (let i = 1; i < e.length; i++) expect(e[i]).toBeGreaterThan(e[i - 1]);
  });
});

describe('sequential: edge cases', () => {
  it('no data, or no events: e-value 1, p-value 1', () => {
    expect(sequentialTest([])).toMatchObject({ log10EValue: 0, pValue: 1, rejected: false, informativeSegments: 0 });
    expect(sequentialTest([segment(0, 1_000, 0, 100_000)])).toMatchObject({ log10EValue: 0, pValue: 1 });
  });

  it('no control exposure, or no treatment exposure: the segment says nothing', () => {
    expect(segmentLogLikelihoodRatio(segment(5, 10, 0, 0), 2)).toBe(0);
    expect(segmentLogLikelihoodRatio(segment(0, 0, 5, 10), 2)).toBe(0);
    expect(sequentialTest([segment(50, 50, 0, 0)])).toMatchObject({
      pValue: 1,
      rejected: false,
      informativeSegments: 0,
    });
  });

  it('control without events: treatment events are evidence (share 1 instead of p0)', () => {
    const test = sequentialTest([segment(6, 100, 0, 100)]);
    expect(test.log10EValue).toBeGreaterThan(0);
  });

  it('does not overflow on overwhelming evidence', () => {
    const test = sequentialTest([segment(100_000, 1_000_000, 10_000, 10_000_000)]);
    expect(Number.isFinite(test.log10EValue)).toBe(true);
    expect(test.log10EValue).toBeGreaterThan(1_000);
    expect(test.pValue).toBe(0);
  });

  it('refuses impossible counts and parameters', () => {
    expect(() => sequentialTest([segment(11, 10, 0, 10)])).toThrow(RangeError);
    expect(() => sequentialTest([segment(-1, 10, 0, 10)])).toThrow(RangeError);
    expect(() => sequentialTest([segment(1.5, 10, 0, 10)])).toThrow(RangeError);
    expect(() => sequentialTest([], 0)).toThrow(RangeError);
    expect(() => sequentialTest([], 0.01, [0.5])).toThrow(RangeError);
    expect(() => segmentLogLikelihoodRatio(segment(1, 2, 1, 2), 0)).toThrow(RangeError);
  });

  it('totals sum every arm', () => {
    expect(totalsOf([segment(1, 10, 2, 20), segment(3, 30, 4, 40)])).toEqual(segment(4, 40, 6, 60));
  });
});

describe('sequential: validity under equal rates, looked at every hour', () => {
  it('rejects in at most about alpha of simulated days, even with a 5 % event rate and few events', () => {
    const next = random(20261204);
    const days = 2_000;
    let rejected = 0;
    for (let day = 0; day < days; day++) {
      const hours = Array.from({ length: 24 }, () =>
        segment(binomial(20, 0.05, next), 20, binomial(200, 0.05, next), 200),
      );
      // rejected is true when the e-value reached 1 / alpha at the end of any hour: a look every hour.
      if (sequentialTest(hours).rejected) rejected += 1;
    }
    // alpha = 1 %: with 2,000 days, 1.7 % is more than three standard errors above it.
    expect(rejected / days).toBeLessThan(0.017);
  });
});
