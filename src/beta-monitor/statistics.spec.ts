import { PHASE_ALPHA } from 'src/beta-monitor/sequential';
import {
  HOURLY_LOOKS_PER_PHASE,
  HOURLY_SHARE_OF_PHASE_ALPHA,
  HOURLY_SIGNIFICANCE_TESTS,
  SIGNIFICANCE_ALPHA,
  binomialLowerTail,
  binomialTwoSided,
  binomialUpperTail,
  smallestDetectableCount,
  smallestDetectableRate,
  smoothedRate,
} from 'src/beta-monitor/statistics';

/** numerator / denominator as the nearest double, for BigInts of any size. */
function ratio(numerator: bigint, denominator: bigint): number {
  if (numerator === 0n) return 0;
  const shift = denominator.toString(2).length - numerator.toString(2).length + 64;
  const quotient =
    shift >= 0 ? (numerator << BigInt(shift)) / denominator : numerator / (denominator << BigInt(-shift));
  const half = Math.floor(shift / 2);
  return Number(quotient) * 2 ** -half * 2 ** -(shift - half);
}

/** Exact P[X ≥ k] for X ~ Binomial(n, a/b), summed in integers: Σ C(n,i) a^i (b−a)^(n−i) / b^n. */
function exactTail(k: number, n: number, a: bigint, b: bigint): number {
  let sum = 0n;
  let choose = 1n;
  for (let i = 0; i <= n; i++) {
    if (i >= k) sum += choose * a ** BigInt(i) * (b - a) ** BigInt(n - i);
    choose = (choose * BigInt(n - i)) / BigInt(i + 1);
  }
  return ratio(sum, b ** BigInt(n));
}

/**
 * An independent large-n reference: the pmf at k in log space (log C(n,k) as a sum of logs),
 * then the tail summed upward by the term ratio until it no longer changes the sum.
 */
function logSpaceTail(k: number, n: number, p: number): number {
  let logChoose = 0;
  for (let i = 1; i <= k; i++) logChoose += Math.log((n - k + i) / i);
  let term = Math.exp(logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p));
  let sum = 0;
  for (let i = k; i <= n && term > sum * 1e-18; i++) {
    sum += term;
    term *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  return sum;
}

const relativeError = (actual: number, expected: number): number => Math.abs(actual - expected) / expected;

describe('binomialUpperTail: edge cases', () => {
  it('n = 0 is no evidence: 1 whatever k', () => {
    expect(binomialUpperTail(0, 0, 0.1)).toBe(1);
    expect(binomialUpperTail(3, 0, 0.1)).toBe(1);
  });

  it('k ≤ 0 → 1, k > n → 0', () => {
    expect(binomialUpperTail(0, 3, 0.2)).toBe(1);
    expect(binomialUpperTail(-2, 3, 0.2)).toBe(1);
    expect(binomialUpperTail(4, 3, 0.2)).toBe(0);
  });

  it('p = 0 → 1 only for k ≤ 0; p = 1 → 1', () => {
    expect(binomialUpperTail(0, 10, 0)).toBe(1);
    expect(binomialUpperTail(1, 10, 0)).toBe(0);
    expect(binomialUpperTail(10, 10, 1)).toBe(1);
    expect(binomialUpperTail(1, 10, 1)).toBe(1);
  });

  it('k = n is p^n; k = 1 is 1 − (1 − p)^n', () => {
    expect(binomialUpperTail(3, 3, 0.5)).toBeCloseTo(0.125, 15);
    expect(binomialUpperTail(1, 3, 0.5)).toBeCloseTo(0.875, 15);
  });

  it.each([
    [1, -1, 0.5],
    [1, 2.5, 0.5],
    [1.5, 3, 0.5],
    [1, 3, -0.1],
    [1, 3, 1.1],
    [1, 3, Number.NaN],
  ])('refuses k=%d n=%d p=%d', (k, n, p) => {
    expect(() => binomialUpperTail(k, n, p)).toThrow(RangeError);
  });
});

describe('binomialUpperTail: exact against integer arithmetic', () => {
  it.each([
    // [k, n, a, b]: p = a / b
    [1, 10, 1n, 10n], // 1 of 10 at 10 %
    [1, 3, 1n, 2n],
    [3, 40, 1n, 10002n], // 3 of 40 against a zero baseline of 5000, smoothed: 0.5 / 5001
    [5, 37, 1n, 2000n],
    [7, 50, 1n, 2n],
    [2, 1000, 1n, 1000000n],
    [1000, 2000, 2n, 5n], // a tail of ~1e-19, lost entirely by 1 − cdf
    [30, 30, 1n, 3n],
  ])('P[X ≥ %d] for n = %d, p = %d/%d', (k, n, a, b) => {
    const expected = exactTail(k, n, a, b);
    expect(relativeError(binomialUpperTail(k, n, Number(a) / Number(b)), expected)).toBeLessThan(1e-10);
  });

  it('P[X ≥ 1] for 1 of 10 at 10 % is 1 − 0.9^10 = 0.6513215599', () => {
    expect(binomialUpperTail(1, 10, 0.1)).toBeCloseTo(0.6513215599, 12);
  });

  it('P[X ≥ k] − P[X ≥ k+1] is the pmf, for every k of n = 25', () => {
    for (let k = 0; k <= 25; k++) {
      const pmf = exactTail(k, 25, 3n, 10n) - exactTail(k + 1, 25, 3n, 10n);
      expect(binomialUpperTail(k, 25, 0.3) - binomialUpperTail(k + 1, 25, 0.3)).toBeCloseTo(pmf, 14);
    }
  });
});

describe('binomialUpperTail: large n, tiny p', () => {
  it('10 M trials at p = 1e-9: matches the closed forms of P[X ≥ 1] and P[X ≥ 2]', () => {
    const n = 10_000_000;
    const p = 1e-9;
    const none = Math.exp(n * Math.log1p(-p));
    const atLeastOne = -Math.expm1(n * Math.log1p(-p));
    const atLeastTwo = atLeastOne - n * p * Math.exp((n - 1) * Math.log1p(-p));
    expect(relativeError(binomialUpperTail(1, n, p), atLeastOne)).toBeLessThan(1e-12);
    expect(relativeError(binomialUpperTail(2, n, p), atLeastTwo)).toBeLessThan(1e-9);
    expect(none + atLeastOne).toBeCloseTo(1, 15);
  });

  it('10 M trials at p = 1e-9: 50 events has a tail of ~1e-165, still a positive number', () => {
    const tail = binomialUpperTail(50, 10_000_000, 1e-9);
    expect(tail).toBeGreaterThan(0);
    expect(relativeError(tail, logSpaceTail(50, 10_000_000, 1e-9))).toBeLessThan(1e-9);
  });

  it('0.11 % against 0.10 % over 10 M requests is wildly significant (p ~ 4e-23)', () => {
    const p = smoothedRate(10_000, 10_000_000);
    const tail = binomialUpperTail(11_000, 10_000_000, p);
    expect(relativeError(tail, logSpaceTail(11_000, 10_000_000, p))).toBeLessThan(1e-8);
    expect(tail).toBeGreaterThan(1e-23);
    expect(tail).toBeLessThan(1e-22);
  });

  it('0.1011 % against 0.10 % over 10 M requests is not (p ≈ 0.137)', () => {
    const tail = binomialUpperTail(10_110, 10_000_000, 0.001);
    expect(relativeError(tail, logSpaceTail(10_110, 10_000_000, 0.001))).toBeLessThan(1e-8);
    expect(tail).toBeCloseTo(0.1367, 4);
  });
});

describe('binomialLowerTail', () => {
  /** Exact P[X ≤ k] for X ~ Binomial(n, a/b): the failures' upper tail, P[n − X ≥ n − k] at (b − a)/b. */
  const exactLowerTail = (k: number, n: number, a: bigint, b: bigint): number => exactTail(n - k, n, b - a, b);

  it('4 or fewer successes of 10 at 90 %: exactly 0.0001469026', () => {
    expect(relativeError(binomialLowerTail(4, 10, 0.9), 0.0001469026)).toBeLessThan(1e-12);
    expect(relativeError(binomialLowerTail(3, 10, 0.9), 0.0000091216)).toBeLessThan(1e-12);
  });

  it.each([
    // [k, n, a, b]: p = a / b
    [4, 10, 9n, 10n],
    [80, 100, 9005n, 10010n], // 80 of 100 against 900 of 1000, smoothed: 900.5 / 1001
    [74, 100, 9005n, 10010n],
    [0, 10, 9n, 10n], // 0.1^10 = 1e-10
    [990, 1000, 20001n, 20002n], // a perfect baseline of 10,000, smoothed: 10,000.5 / 10,001
    [12, 25, 1n, 2n],
  ])('P[X ≤ %d] for n = %d, p = %d/%d', (k, n, a, b) => {
    const expected = exactLowerTail(k, n, a, b);
    expect(relativeError(binomialLowerTail(k, n, Number(a) / Number(b)), expected)).toBeLessThan(1e-10);
  });

  it('is the complement of the upper tail one count up', () => {
    for (let k = 0; k <= 25; k++)
      expect(binomialLowerTail(k, 25, 0.7) + binomialUpperTail(k + 1, 25, 0.7)).toBeCloseTo(1, 14);
  });

  it('edges: no trials or k ≥ n → 1; k < 0 → 0; p = 0 → 1; p = 1 → 0 below n', () => {
    expect(binomialLowerTail(0, 0, 0.9)).toBe(1);
    expect(binomialLowerTail(10, 10, 0.9)).toBe(1);
    expect(binomialLowerTail(-1, 10, 0.9)).toBe(0);
    expect(binomialLowerTail(0, 10, 0)).toBe(1);
    expect(binomialLowerTail(9, 10, 1)).toBe(0);
  });

  it.each([
    [1, -1, 0.5],
    [1.5, 3, 0.5],
    [1, 3, 1.1],
    [1, 3, Number.NaN],
  ])('refuses k=%d n=%d p=%d', (k, n, p) => {
    expect(() => binomialLowerTail(k, n, p)).toThrow(RangeError);
  });
});

describe('the hourly significance level', () => {
  it('is half the phase’s α split over 24 hourly checkpoints and 2 tests: 0.01 × 0.5 / 48 ≈ 0.000104', () => {
    expect(SIGNIFICANCE_ALPHA).toBeCloseTo(0.01 / 96, 15);
    expect(HOURLY_LOOKS_PER_PHASE * HOURLY_SIGNIFICANCE_TESTS * SIGNIFICANCE_ALPHA).toBeCloseTo(
      PHASE_ALPHA * HOURLY_SHARE_OF_PHASE_ALPHA,
      15,
    );
  });
});

describe('smoothedRate', () => {
  it('adds half an event so a zero baseline still has a rate', () => {
    expect(smoothedRate(0, 0)).toBe(0.5);
    expect(smoothedRate(0, 5000)).toBe(0.5 / 5001);
    expect(smoothedRate(3, 40)).toBe(3.5 / 41);
  });

  it('refuses more events than trials and non-integers', () => {
    expect(() => smoothedRate(4, 3)).toThrow(RangeError);
    expect(() => smoothedRate(0.5, 3)).toThrow(RangeError);
  });
});

describe('smallest detectable count and rate', () => {
  /** The definition: the tail falls below alpha at k and not one count earlier. */
  function expectSmallest(n: number, p: number, k: number) {
    expect(binomialUpperTail(k, n, p)).toBeLessThan(SIGNIFICANCE_ALPHA);
    expect(binomialUpperTail(k - 1, n, p)).toBeGreaterThanOrEqual(SIGNIFICANCE_ALPHA);
  }

  it('37 requests, 0 errors, baseline 20 of 10,000: 3 errors, a rate above 8 % would have shown', () => {
    const p = smoothedRate(20, 10_000);
    expect(smallestDetectableCount(37, p)).toBe(3);
    expectSmallest(37, p, 3);
    expect(smallestDetectableRate(37, p)).toBeCloseTo(3 / 37, 12);
    expect(smallestDetectableRate(37, p)).toBeGreaterThan(0.08);
    expect(smallestDetectableRate(37, p)).toBeLessThan(0.09);
  });

  it('a zero baseline (0 of 5000): 2 errors of 40 are already significant', () => {
    const p = smoothedRate(0, 5000);
    expect(smallestDetectableCount(40, p)).toBe(2);
    expectSmallest(40, p, 2);
  });

  it('tiny samples: 0 of 0 and 3 trials at 50 % can show nothing', () => {
    expect(smallestDetectableCount(0, 0.01)).toBeNull();
    expect(smallestDetectableRate(0, 0.01)).toBeNull();
    expect(smallestDetectableCount(3, smoothedRate(0, 0))).toBeNull();
  });

  it('10 M requests at 0.1 %: about 3.7 standard deviations above the mean, found in log2(n) steps', () => {
    const k = smallestDetectableCount(10_000_000, 0.001) as number;
    expectSmallest(10_000_000, 0.001, k);
    expect(k).toBeGreaterThan(10_350);
    expect(k).toBeLessThan(10_400);
  });

  it('takes another alpha', () => {
    // P[X ≥ 1] = 1 − 0.998^37 ≈ 0.071 is not below 0.05; P[X ≥ 2] ≈ 0.0026 is.
    expect(smallestDetectableCount(37, 0.002, 0.05)).toBe(2);
    expect(smallestDetectableCount(37, 0.002, 0.08)).toBe(1);
    expect(() => smallestDetectableCount(37, 0.002, 0)).toThrow(RangeError);
  });
});

/** The two-sided p-value by brute force: Σ of every exact pmf(i) ≤ pmf(k), p = a / b, in integers. */
function exactTwoSided(k: number, n: number, a: bigint, b: bigint): number {
  const pmfs: bigint[] = [];
  let choose = 1n;
  for (let i = 0; i <= n; i++) {
    pmfs.push(choose * a ** BigInt(i) * (b - a) ** BigInt(n - i));
    choose = (choose * BigInt(n - i)) / BigInt(i + 1);
  }
  const sum = pmfs.filter((pmf) => pmf <= pmfs[k]).reduce((total, pmf) => total + pmf, 0n);
  return ratio(sum, b ** BigInt(n));
}

describe('binomialTwoSided: the exact two-sided test', () => {
  it.each([
    // Published values of R's binom.test.
    [682, 925, 0.75, 0.3825],
    [9, 10, 0.5, 0.02148438],
    [0, 10, 0.5, 0.001953125],
    [7, 20, 0.5, 0.263176],
  ])('%d of %d against p = %d is %d (R binom.test)', (k, n, p, expected) => {
    expect(binomialTwoSided(k, n, p)).toBeCloseTo(expected, 4);
  });

  it.each([
    [3, 10, 1n, 5n],
    [0, 12, 1n, 4n],
    [12, 12, 1n, 4n],
    [30, 40, 1n, 2n],
    [2, 50, 1n, 10n],
    [17, 50, 1n, 10n],
    [60, 200, 1n, 4n],
    [35, 200, 1n, 4n],
  ])('%d of %d against %d/%d equals the brute-force sum', (k, n, a, b) => {
    const expected = exactTwoSided(k, n, a, b);
    expect(relativeError(binomialTwoSided(k, n, Number(a) / Number(b)), expected)).toBeLessThan(1e-9);
  });

  it('the outcome at the mean is 1, and the p-value falls on both sides of it', () => {
    expect(binomialTwoSided(5, 10, 0.5)).toBe(1);
    expect(binomialTwoSided(400, 1000, 0.5)).toBeLessThan(1e-9);
    expect(binomialTwoSided(600, 1000, 0.5)).toBeCloseTo(binomialTwoSided(400, 1000, 0.5), 15);
  });

  it('stays exact for a tiny p-value over many trials (no 1 − cdf that vanishes)', () => {
    // Symmetric at p = ½: twice the upper tail, summed independently in log space.
    const pValue = binomialTwoSided(51_500, 100_000, 0.5);
    expect(pValue).toBeLessThan(1e-18);
    expect(relativeError(pValue, 2 * logSpaceTail(51_500, 100_000, 0.5))).toBeLessThan(1e-8);
    expect(binomialTwoSided(50_100, 100_000, 0.5)).toBeGreaterThan(0.5);
  });

  it('n = 0 is no evidence; p = 0 and p = 1 allow only their one outcome', () => {
    expect(binomialTwoSided(0, 0, 0.3)).toBe(1);
    expect(binomialTwoSided(0, 5, 0)).toBe(1);
    expect(binomialTwoSided(1, 5, 0)).toBe(0);
    expect(binomialTwoSided(5, 5, 1)).toBe(1);
    expect(binomialTwoSided(4, 5, 1)).toBe(0);
  });

  it.each([
    [6, 5, 0.5],
    [-1, 5, 0.5],
    [1.5, 5, 0.5],
    [1, 5, 1.5],
  ])('refuses k=%d n=%d p=%d', (k, n, p) => {
    expect(() => binomialTwoSided(k, n, p)).toThrow(RangeError);
  });
});
