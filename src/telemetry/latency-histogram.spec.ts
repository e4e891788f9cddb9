import fc from 'fast-check';
import {
  addInto,
  bucketIndex,
  emptyHistogram,
  HISTOGRAM_BIN_COUNT,
  HISTOGRAM_BOUNDS_MS,
  percentile,
  trimmed,
} from 'src/telemetry/latency-histogram';

const histogramOf = (values: number[]): number[] => {
  const counts = emptyHistogram();
  for (const value of values) counts[bucketIndex(value)] += 1;
  return counts;
};

describe('latency histogram', () => {
  it('has quarter-octave bounds from 1 ms to 65.536 s plus an overflow bin', () => {
    expect(HISTOGRAM_BIN_COUNT).toBe(66);
    expect(HISTOGRAM_BOUNDS_MS[0]).toBe(1);
    expect(HISTOGRAM_BOUNDS_MS[4]).toBe(2);
    expect(HISTOGRAM_BOUNDS_MS[40]).toBe(1024);
    expect(HISTOGRAM_BOUNDS_MS[64]).toBe(65_536);
    for (let i = 1; i < HISTOGRAM_BOUNDS_MS.length; i++)
      expect(HISTOGRAM_BOUNDS_MS[i] / HISTOGRAM_BOUNDS_MS[i - 1]).toBeCloseTo(2 ** 0.25, 12);
  });

  it('puts a value in the first bin whose upper bound holds it, exact bounds included', () => {
    expect([0, 0.3, 1, -5, Number.NaN].map(bucketIndex)).toEqual([0, 0, 0, 0, 0]);
    expect(bucketIndex(1.0001)).toBe(1);
    HISTOGRAM_BOUNDS_MS.forEach((bound, i) => {
      expect([bound, bucketIndex(bound)]).toEqual([bound, i]);
      expect([bound, bucketIndex(bound * (1 + 1e-9))]).toEqual([bound, i + 1]);
    });
    expect(bucketIndex(65_536.01)).toBe(65);
    expect(bucketIndex(1e12)).toBe(65);
  });

  it('agrees with a linear scan of the bounds for any duration', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 200_000, noNaN: true }), (ms) => {
        const expected = HISTOGRAM_BOUNDS_MS.findIndex((bound) => ms <= bound);
        expect(bucketIndex(ms)).toBe(expected === -1 ? HISTOGRAM_BIN_COUNT - 1 : expected);
      }),
    );
  });

  it('interpolates percentiles inside the bin of the nearest-rank sample', () => {
    expect(percentile(emptyHistogram(), 0.95)).toBeNull();
    expect(percentile([], 0.5)).toBeNull();
    // 100 samples all at 100 ms: bin (90.5, 107.6]; p95 is 95 % of the way through it.
    const bin = bucketIndex(100);
    const [lower, upper] = [HISTOGRAM_BOUNDS_MS[bin - 1], HISTOGRAM_BOUNDS_MS[bin]];
    const all100 = histogramOf(Array(100).fill(100));
    expect(percentile(all100, 0.95)).toBeCloseTo(lower + (upper - lower) * 0.95, 9);
    expect(percentile(all100, 1)).toBe(upper);
    // 95 fast requests and 5 slow ones: p95 is still fast, p96 is slow.
    const mixed = histogramOf([...Array(95).fill(10), ...Array(5).fill(2000)]);
    expect(percentile(mixed, 0.95)).toBeLessThanOrEqual(HISTOGRAM_BOUNDS_MS[bucketIndex(10)]);
    expect(percentile(mixed, 0.96)).toBeGreaterThan(HISTOGRAM_BOUNDS_MS[bucketIndex(2000) - 1]);
    expect(percentile(histogramOf([0, 0, 0, 0]), 0.5)).toBeCloseTo(0.5, 9);
    expect(percentile(histogramOf([100_000]), 0.5)).toBe(65_536);
    expect(() => percentile(all100, 0)).toThrow(RangeError);
  });

  it('estimates a percentile within one bin (≈ 19 %) of the exact value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1.5, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(0.5, 0.95, 0.99),
        (values, q) => {
          const sorted = [...values].sort((a, b) => a - b);
          const exact = sorted[Math.ceil(q * sorted.length) - 1];
          const estimate = percentile(histogramOf(values), q)!;
          expect(estimate / exact).toBeGreaterThan(1 / 2 ** 0.25 - 1e-9);
          expect(estimate / exact).toBeLessThan(2 ** 0.25 + 1e-9);
        },
      ),
    );
  });

  it('adds histograms of any lengths and trims trailing empty bins', () => {
    expect(addInto([1, 2, 3], [1, 1])).toEqual([2, 3, 3]);
    expect(addInto([1], [0, 0, 4])).toEqual([1, 0, 4]);
    expect(trimmed([0, 3, 0, 1, 0, 0])).toEqual([0, 3, 0, 1]);
    expect(trimmed(emptyHistogram())).toEqual([]);
    // A trimmed histogram gives the same percentiles.
    const counts = histogramOf([3, 5, 8, 13, 21]);
    expect(percentile(trimmed(counts), 0.95)).toBe(percentile(counts, 0.95));
  });
});
