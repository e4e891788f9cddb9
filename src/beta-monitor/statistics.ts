import betainc from '@stdlib/math-base-special-betainc';
import gammaln from '@stdlib/math-base-special-gammaln';
import { PHASE_ALPHA } from 'src/beta-monitor/sequential';

/** The hourly checkpoints a phase's false-alarm budget is spread over: a day of them. */
export const HOURLY_LOOKS_PER_PHASE = 24;
/** The hourly comparisons that go CRITICAL on a significance test: 5xx and matching success. */
export const HOURLY_SIGNIFICANCE_TESTS = 2;
/**
 * The share of the phase's α the hourly window may spend. The two checks over the phase each
 * keep the full α (Ville's bound, loose here: they measure far below it), so the proven bound
 * for the whole checkpoint is 2.5 % per 24-hour phase; the ≤ 1 % of ADR 0020 is measured by the
 * seeded simulation (`BENCH_ONLY=sim npm run bench`), not proven.
 */
export const HOURLY_SHARE_OF_PHASE_ALPHA = 0.5;
/**
 * The hourly window's significance level (docs/beta-monitor-checks.md, ADR 0020): a Bonferroni
 * split of half the phase's α over a day of hourly checkpoints and the window's two tests, so they
 * raise a false CRITICAL in at most 0.5 % of phases (0.01 × 0.5 / 48 ≈ 0.0001 per test and hour).
 */
export const SIGNIFICANCE_ALPHA =
  (PHASE_ALPHA * HOURLY_SHARE_OF_PHASE_ALPHA) / (HOURLY_LOOKS_PER_PHASE * HOURLY_SIGNIFICANCE_TESTS);

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer (got ${value})`);
}

function assertProbability(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be a probability between 0 and 1 (got ${p})`);
}

/**
 * Exact P[X ≥ k] for X ~ Binomial(n, p): the p-value of the one-sided test "more successes
 * than p explains". It is the regularized incomplete beta I_p(k, n − k + 1), taken from
 * stdlib's Boost-derived `betainc` with relative precision, so a tail of 1e-23 over 10 M trials
 * is exact to the last digits instead of vanishing in `1 − cdf`.
 *
 * No trials (n = 0) is no evidence: 1, whatever k is.
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
  assertCount('n', n);
  if (!Number.isSafeInteger(k)) throw new RangeError(`k must be an integer (got ${k})`);
  assertProbability(p);
  if (n === 0 || k <= 0) return 1;
  if (k > n) return 0;
  if (p === 0) return 0;
  if (p === 1) return 1;
  const tail = betainc(p, k, n - k + 1, true, false);
  return Math.min(1, Math.max(0, tail));
}

/**
 * Exact P[X ≤ k] for X ~ Binomial(n, p): the p-value of the one-sided test "fewer successes
 * than p explains" (a matching success rate below its baseline). It is the upper regularized
 * incomplete beta 1 − I_p(k + 1, n − k), computed as such (not as 1 − the lower one), so a small
 * tail keeps its relative precision.
 *
 * No trials (n = 0) is no evidence: 1, whatever k is.
 */
export function binomialLowerTail(k: number, n: number, p: number): number {
  assertCount('n', n);
  if (!Number.isSafeInteger(k)) throw new RangeError(`k must be an integer (got ${k})`);
  assertProbability(p);
  if (n === 0 || k >= n) return 1;
  if (k < 0) return 0;
  if (p === 0) return 1;
  if (p === 1) return 0;
  const tail = betainc(p, k + 1, n - k, true, true);
  return Math.min(1, Math.max(0, tail));
}

/** ln P[X = k] for X ~ Binomial(n, p), 0 < p < 1, through log-gamma so large n neither overflows nor underflows. */
function logBinomialPmf(k: number, n: number, p: number): number {
  return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/** Two outcomes this close in probability count as equally likely (the tolerance R's binom.test uses). */
const PMF_TOLERANCE = 1 + 1e-7;

/**
 * The exact two-sided binomial test's p-value for k successes in n trials against p: the
 * probability of every outcome no more likely than k (the "minimum likelihood" method of R's
 * `binom.test`). The far tail is found by a binary search, since the probabilities fall
 * monotonically away from the mode, so the cost is O(log n) tail evaluations.
 *
 * No trials (n = 0) is no evidence: 1.
 */
export function binomialTwoSided(k: number, n: number, p: number): number {
  assertCount('n', n);
  assertCount('k', k);
  assertProbability(p);
  if (k > n) throw new RangeError(`k must not exceed n (got ${k} of ${n})`);
  if (n === 0) return 1;
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  const mean = n * p;
  if (k === mean) return 1;
  const limit = logBinomialPmf(k, n, p) + Math.log(PMF_TOLERANCE);
  const asLikely = (i: number): boolean => logBinomialPmf(i, n, p) <= limit;
  let tails: number;
  if (k < mean) {
    // Above the mean the probabilities fall: the first i from ceil(mean) on that is no more likely than k.
    let low = Math.ceil(mean);
    let high = n + 1;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (asLikely(middle)) high = middle;
      else low = middle + 1;
    }
    tails = binomialLowerTail(k, n, p) + (low <= n ? binomialUpperTail(low, n, p) : 0);
  } else {
    // Below the mean the probabilities rise: the last i up to floor(mean) that is no more likely than k.
    let low = -1;
    let high = Math.floor(mean);
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (asLikely(middle)) low = middle;
      else high = middle - 1;
    }
    tails = binomialUpperTail(k, n, p) + (low >= 0 ? binomialLowerTail(low, n, p) : 0);
  }
  return Math.min(1, Math.max(0, tails));
}

/** x of n with half an event added, so a baseline that saw no error still gives a usable rate (docs/beta-monitor-checks.md). */
export function smoothedRate(x: number, n: number): number {
  assertCount('n', n);
  assertCount('x', x);
  if (x > n) throw new RangeError(`x must not exceed n (got ${x} of ${n})`);
  return (x + 0.5) / (n + 1);
}

/**
 * The smallest count k with binomialUpperTail(k, n, p) < alpha: how many events n trials
 * must show before they are significantly more than p explains. Null when even k = n is not
 * enough (too few trials). The tail falls as k grows, so a binary search does it in log2(n)
 * tail evaluations.
 */
export function smallestDetectableCount(n: number, p: number, alpha: number = SIGNIFICANCE_ALPHA): number | null {
  assertCount('n', n);
  assertProbability(p);
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`alpha must be in (0, 1] (got ${alpha})`);
  if (n === 0 || binomialUpperTail(n, n, p) >= alpha) return null;
  let low = 1;
  let high = n;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (binomialUpperTail(middle, n, p) < alpha) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** smallestDetectableCount as a rate of n: "with 37 requests, a 5xx rate above 8 % would have shown". */
export function smallestDetectableRate(n: number, p: number, alpha: number = SIGNIFICANCE_ALPHA): number | null {
  const count = smallestDetectableCount(n, p, alpha);
  return count === null ? null : count / n;
}
