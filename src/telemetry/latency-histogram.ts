/**
 * The fixed log-scale histogram of telemetry durations (HTTP latency and time-to-match), in
 * milliseconds. Quarter-octave bins: bin 0 holds [0, 1] ms, bin i (1–64) holds
 * (2^((i−1)/4), 2^(i/4)] ms, so every finite bin is ≈ 19 % wide relative to its bounds and the
 * last one ends at 65.536 s; bin 65 is the overflow (> 65.536 s). The bounds are a stored
 * contract: `telemetry_minutes.latency` and `.ttm` hold counts in this layout (trailing empty
 * bins may be left out), so they never change meaning — only new bins may be appended.
 */
export const HISTOGRAM_BOUNDS_MS: readonly number[] = Object.freeze(Array.from({ length: 65 }, (_, i) => 2 ** (i / 4)));

/** Finite bins plus the overflow bin. */
export const HISTOGRAM_BIN_COUNT = HISTOGRAM_BOUNDS_MS.length + 1;
const OVERFLOW = HISTOGRAM_BIN_COUNT - 1;
const LAST_BOUND = HISTOGRAM_BOUNDS_MS[HISTOGRAM_BOUNDS_MS.length - 1];

/** The bin of a duration: the first bin whose upper bound is ≥ ms (so a value on a bound belongs below it). */
export function bucketIndex(ms: number): number {
  if (!(ms > 1)) return 0;
  if (ms > LAST_BOUND) return OVERFLOW;
  let index = Math.ceil(4 * Math.log2(ms));
  // Math.log2 may be off by one ulp right at a bound.
  if (ms <= HISTOGRAM_BOUNDS_MS[index - 1]) index -= 1;
  else if (ms > HISTOGRAM_BOUNDS_MS[index]) index += 1;
  return index;
}

export function emptyHistogram(): number[] {
  return new Array<number>(HISTOGRAM_BIN_COUNT).fill(0);
}

/** Adds `source` into `target` bin by bin (either may be shorter: missing bins count 0). */
export function addInto(target: number[], source: readonly number[]): number[] {
  for (let i = 0; i < source.length; i++) target[i] = (target[i] ?? 0) + source[i];
  return target;
}

/** The histogram without its trailing empty bins (what is stored). */
export function trimmed(counts: readonly number[]): number[] {
  let end = counts.length;
  while (end > 0 && counts[end - 1] === 0) end -= 1;
  return counts.slice(0, end);
}

/**
 * The q-quantile (0 < q ≤ 1) of the durations counted in `counts`, or null when it is empty.
 *
 * The estimate is **linearly interpolated inside the bin** that holds the nearest-rank sample
 * (rank ⌈q·n⌉), as Prometheus' histogram_quantile does: lower bound + width × (how far the rank
 * is into the bin). It lies within that bin's bounds, so it is off by at most one bin width
 * (≈ 19 % of the value), and equal inputs give equal outputs — treatment and baseline are
 * measured with the same ruler. A quantile in the overflow bin answers 65,536 ms, a lower bound
 * of the true value.
 */
export function percentile(counts: readonly number[], q: number): number | null {
  if (!(q > 0 && q <= 1)) throw new RangeError(`q must be in (0, 1], got ${q}`);
  let total = 0;
  for (const count of counts) total += count;
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i];
    if (count > 0 && below + count >= rank) {
      if (i >= OVERFLOW) return LAST_BOUND;
      const lower = i === 0 ? 0 : HISTOGRAM_BOUNDS_MS[i - 1];
      const upper = HISTOGRAM_BOUNDS_MS[i];
      return lower + ((upper - lower) * (rank - below)) / count;
    }
    below += count;
  }
  return LAST_BOUND;
}
