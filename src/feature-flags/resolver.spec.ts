import fc from 'fast-check';
import { BUCKET_COUNT, bucketOf, murmur3x86_32 } from 'src/feature-flags/bucket';
import { Evaluation, ResolvableFlag, evaluate } from 'src/feature-flags/resolver';

const KEY = 'passenger_favorites_matching';

function flagOf(overrides: Partial<ResolvableFlag> = {}): ResolvableFlag {
  return {
    key: KEY,
    enabled: true,
    rolloutBasisPoints: 0,
    version: 7,
    archived: false,
    allowlist: new Set<string>(),
    ...overrides,
  };
}

/** The bucket from the byte path: Buffer's own UTF-8 encoding, then murmur3 over the bytes. */
const bytesBucket = (flagKey: string, subjectId: string) =>
  murmur3x86_32(Buffer.from(`${flagKey}:${subjectId}`, 'utf8')) % BUCKET_COUNT;

const BETA = ['pass_beta_001_2026', 'pass_beta_005_2026'];
// Published buckets (docs/resolver.md): pass_beta_001_2026 → 8133, pass_000042_2026 → 8229, passenger-123 → 7111.

describe('evaluate: each reason, in the published order (docs/resolver.md)', () => {
  it('MASTER_SWITCH: off whatever the flag says, with the bucket and version of the live flag', () => {
    const flag = flagOf({ rolloutBasisPoints: 10000, allowlist: new Set(BETA) });
    expect(evaluate(flag, 'pass_beta_001_2026', true)).toEqual({
      enabled: false,
      reason: 'MASTER_SWITCH',
      bucket: 8133,
      version: 7,
    });
    expect(evaluate(flag, 'passenger-123', true)).toEqual({
      enabled: false,
      reason: 'MASTER_SWITCH',
      bucket: 7111,
      version: 7,
    });
  });

  it('MASTER_SWITCH wins over an unknown or archived flag too, with no bucket or version', () => {
    const none = { enabled: false, reason: 'MASTER_SWITCH', bucket: null, version: null };
    expect(evaluate(undefined, 'passenger-123', true)).toEqual(none);
    expect(evaluate(flagOf({ archived: true, rolloutBasisPoints: 10000 }), 'passenger-123', true)).toEqual(none);
  });

  it('FLAG_NOT_FOUND: unknown flag', () => {
    expect(evaluate(undefined, 'passenger-123', false)).toEqual({
      enabled: false,
      reason: 'FLAG_NOT_FOUND',
      bucket: null,
      version: null,
    });
  });

  it('FLAG_NOT_FOUND: archived flag, even enabled at 100 % with the subject allowlisted', () => {
    const archived = flagOf({ archived: true, rolloutBasisPoints: 10000, allowlist: new Set(BETA), version: 12 });
    expect(evaluate(archived, 'pass_beta_001_2026', false)).toEqual({
      enabled: false,
      reason: 'FLAG_NOT_FOUND',
      bucket: null,
      version: null,
    });
  });

  it('DISABLED beats the allowlist and the rollout', () => {
    const disabled = flagOf({ enabled: false, rolloutBasisPoints: 10000, allowlist: new Set(BETA) });
    expect(evaluate(disabled, 'pass_beta_001_2026', false)).toEqual({
      enabled: false,
      reason: 'DISABLED',
      bucket: 8133,
      version: 7,
    });
    expect(evaluate(disabled, 'passenger-123', false)).toEqual({
      enabled: false,
      reason: 'DISABLED',
      bucket: 7111,
      version: 7,
    });
  });

  it('ALLOWLIST: on at 0 % for allowlisted subjects only (Phase 1 beta)', () => {
    const phase1 = flagOf({ rolloutBasisPoints: 0, allowlist: new Set(BETA) });
    expect(evaluate(phase1, 'pass_beta_001_2026', false)).toEqual({
      enabled: true,
      reason: 'ALLOWLIST',
      bucket: 8133,
      version: 7,
    });
    expect(evaluate(phase1, 'pass_beta_005_2026', false)).toEqual({
      enabled: true,
      reason: 'ALLOWLIST',
      bucket: 6523,
      version: 7,
    });
    expect(evaluate(phase1, 'pass_000042_2026', false)).toEqual({
      enabled: false,
      reason: 'ROLLOUT_EXCLUDED',
      bucket: 8229,
      version: 7,
    });
  });

  it('ALLOWLIST wins over the rollout, and matches exactly (no trimming or case folding)', () => {
    const flag = flagOf({ rolloutBasisPoints: 10000, allowlist: new Set(['Jørgen']) });
    expect(evaluate(flag, 'Jørgen', false).reason).toBe('ALLOWLIST');
    expect(evaluate(flag, 'jørgen', false).reason).toBe('ROLLOUT');
    expect(evaluate(flag, 'Jørgen ', false).reason).toBe('ROLLOUT');
  });

  it('ROLLOUT when bucket < basis points, ROLLOUT_EXCLUDED at bucket = basis points', () => {
    expect(evaluate(flagOf({ rolloutBasisPoints: 8134 }), 'pass_beta_001_2026', false)).toEqual({
      enabled: true,
      reason: 'ROLLOUT',
      bucket: 8133,
      version: 7,
    });
    expect(evaluate(flagOf({ rolloutBasisPoints: 8133 }), 'pass_beta_001_2026', false)).toEqual({
      enabled: false,
      reason: 'ROLLOUT_EXCLUDED',
      bucket: 8133,
      version: 7,
    });
  });

  it('0 % gives nobody the flag through the rollout; 100 % gives everybody', () => {
    for (let i = 0; i < 2000; i++) {
      const subjectId = `subject-${i}`;
      expect(evaluate(flagOf({ rolloutBasisPoints: 0 }), subjectId, false).reason).toBe('ROLLOUT_EXCLUDED');
      expect(evaluate(flagOf({ rolloutBasisPoints: 10000 }), subjectId, false)).toMatchObject({
        enabled: true,
        reason: 'ROLLOUT',
      });
    }
  });

  it.each([
    ['pass_beta_001_2026', 8133],
    ['pass_beta_005_2026', 6523],
    ['pass_000042_2026', 8229],
    ['passenger-123', 7111],
    ['Jørgen', 1208],
    ['山田太郎', 3910],
    ['🚕-rider-7', 6834],
  ])('answers the published bucket for %s (%d)', (subjectId, bucket) => {
    expect(evaluate(flagOf({ rolloutBasisPoints: bucket }), subjectId, false)).toMatchObject({
      enabled: false,
      bucket,
    });
    expect(evaluate(flagOf({ rolloutBasisPoints: bucket + 1 }), subjectId, false)).toMatchObject({
      enabled: true,
      bucket,
    });
  });

  it('answers the flag version', () => {
    expect(evaluate(flagOf({ version: 1 }), 'passenger-123', false).version).toBe(1);
    expect(evaluate(flagOf({ version: 42 }), 'passenger-123', false).version).toBe(42);
  });
});

describe('evaluate: shape and determinism', () => {
  const cases: ReadonlyArray<[ResolvableFlag | undefined, string, boolean]> = [
    [flagOf(), 'x', true],
    [undefined, 'x', false],
    [flagOf({ enabled: false }), 'x', false],
    [flagOf({ allowlist: new Set(['x']) }), 'x', false],
    [flagOf({ rolloutBasisPoints: 10000 }), 'x', false],
    [flagOf(), 'x', false],
  ];

  it('answers objects of one shape, in one key order, for every reason', () => {
    const answers = cases.map(([flag, subjectId, off]) => evaluate(flag, subjectId, off));
    expect(answers.map((answer) => answer.reason)).toEqual([
      'MASTER_SWITCH',
      'FLAG_NOT_FOUND',
      'DISABLED',
      'ALLOWLIST',
      'ROLLOUT',
      'ROLLOUT_EXCLUDED',
    ]);
    for (const answer of answers) expect(Object.keys(answer)).toEqual(['enabled', 'reason', 'bucket', 'version']);
  });

  it('gives the same answer for the same subject, flag and version, every time', () => {
    const flag = flagOf({ rolloutBasisPoints: 2500, allowlist: new Set(BETA) });
    const subjects = [...BETA, 'passenger-123', 'Jørgen', '山田太郎', '🚕-rider-7', 'subject-1'];
    const first = subjects.map((subjectId) => evaluate(flag, subjectId, false));
    for (let round = 0; round < 100; round++) {
      const again: Evaluation[] = subjects.map((subjectId) =>
        evaluate(flagOf({ rolloutBasisPoints: 2500, allowlist: new Set(BETA) }), subjectId, false),
      );
      expect(again).toEqual(first);
    }
  });
});

const flagKeyArbitrary = fc.stringMatching(/^[a-z][a-z0-9_]{2,63}$/);
const subjectArbitrary = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 64 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }),
  fc.integer({ min: 0, max: 999_999 }).map((n) => `pass_${String(n).padStart(6, '0')}_2026`),
);
const basisPointsArbitrary = fc.integer({ min: 0, max: 10000 });

describe('evaluate: properties', () => {
  it('is monotonic: on at p1 implies on at p2 ≥ p1', () => {
    fc.assert(
      fc.property(
        flagKeyArbitrary,
        subjectArbitrary,
        basisPointsArbitrary,
        basisPointsArbitrary,
        fc.boolean(),
        (key, subjectId, a, b, listed) => {
          const [p1, p2] = a <= b ? [a, b] : [b, a];
          const allowlist = new Set(listed ? [subjectId] : []);
          const low = evaluate(flagOf({ key, rolloutBasisPoints: p1, allowlist }), subjectId, false);
          const high = evaluate(flagOf({ key, rolloutBasisPoints: p2, allowlist }), subjectId, false);
          if (low.enabled) expect(high.enabled).toBe(true);
          expect(high.bucket).toBe(low.bucket);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('answers a bucket in 0..9999 equal to murmur3 over Buffer UTF-8 bytes, and ON exactly when allowlisted or bucket < basis points', () => {
    fc.assert(
      fc.property(
        flagKeyArbitrary,
        subjectArbitrary,
        basisPointsArbitrary,
        fc.boolean(),
        (key, subjectId, basisPoints, listed) => {
          const answer = evaluate(
            flagOf({ key, rolloutBasisPoints: basisPoints, allowlist: new Set(listed ? [subjectId] : []) }),
            subjectId,
            false,
          );
          const bucket = bytesBucket(key, subjectId);
          expect(answer.bucket).toBe(bucket);
          expect(bucket).toBe(bucketOf(key, subjectId));
          expect(Number.isInteger(bucket) && bucket >= 0 && bucket <= 9999).toBe(true);
          expect(answer.enabled).toBe(listed || bucket < basisPoints);
          expect(answer.reason).toBe(listed ? 'ALLOWLIST' : bucket < basisPoints ? 'ROLLOUT' : 'ROLLOUT_EXCLUDED');
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('lets the master switch, an archived flag and a disabled flag win over everything', () => {
    fc.assert(
      fc.property(
        flagKeyArbitrary,
        subjectArbitrary,
        basisPointsArbitrary,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (key, subjectId, basisPoints, listed, archived, enabled) => {
          const flag = flagOf({
            key,
            enabled,
            archived,
            rolloutBasisPoints: basisPoints,
            allowlist: new Set(listed ? [subjectId] : []),
          });
          expect(evaluate(flag, subjectId, true)).toMatchObject({ enabled: false, reason: 'MASTER_SWITCH' });
          const answer = evaluate(flag, subjectId, false);
          if (archived)
            expect(answer).toEqual({ enabled: false, reason: 'FLAG_NOT_FOUND', bucket: null, version: null });
          else if (!enabled)
            expect(answer).toEqual({
              enabled: false,
              reason: 'DISABLED',
              bucket: bucketOf(key, subjectId),
              version: 7,
            });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('bucket distribution (fixed subject IDs, so deterministic)', () => {
  const N = 100_000;
  const BINS = 100;
  const subjects = Array.from({ length: N }, (_, i) => `subject-${i}`);
  const bucketsOf = (key: string) => subjects.map((subjectId) => bucketOf(key, subjectId));

  /** Pearson's chi-square of the buckets in 100 equal bins (each 1 % of the rollout). */
  function chiSquare(buckets: readonly number[]): number {
    const counts = new Array<number>(BINS).fill(0);
    for (const bucket of buckets) counts[Math.floor(bucket / (BUCKET_COUNT / BINS))]++;
    const expected = buckets.length / BINS;
    return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
  }

  // 99.9th percentile of chi-square with 99 degrees of freedom.
  const CHI_SQUARE_BOUND = 148.2;

  it.each([KEY, 'driver_heatmap_v2', 'abc'])('is uniform over 100 bins for flag %s (chi-square < 148.2)', (key) => {
    const buckets = bucketsOf(key);
    expect(chiSquare(buckets)).toBeLessThan(CHI_SQUARE_BOUND);
    // And the rollout share is the percentage: 5 % of 100,000 is 5,000 ± 5σ (σ ≈ 69).
    expect(Math.abs(buckets.filter((bucket) => bucket < 500).length - 5000)).toBeLessThan(345);
  });

  it('is uniform for sequential passenger IDs too', () => {
    const buckets = Array.from({ length: N }, (_, i) => bucketOf(KEY, `pass_${String(i).padStart(6, '0')}_2026`));
    expect(chiSquare(buckets)).toBeLessThan(CHI_SQUARE_BOUND);
  });

  it('the chi-square check can fail: a skewed distribution is refused', () => {
    const skewed = bucketsOf(KEY).map((bucket, i) => (i % 20 === 0 ? bucket % 100 : bucket));
    expect(chiSquare(skewed)).toBeGreaterThan(CHI_SQUARE_BOUND);
  });

  it('buckets flags independently: no correlation, and 10 % × 10 % overlap ≈ 1 %', () => {
    const a = bucketsOf(KEY);
    const b = bucketsOf('driver_heatmap_v2');
    const mean = (xs: readonly number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;
    const ma = mean(a);
    const mb = mean(b);
    let covariance = 0;
    let va = 0;
    let vb = 0;
    for (let i = 0; i < N; i++) {
      covariance += (a[i] - ma) * (b[i] - mb);
      va += (a[i] - ma) ** 2;
      vb += (b[i] - mb) ** 2;
    }
    const correlation = covariance / Math.sqrt(va * vb);
    // For independent buckets the correlation's standard deviation is 1/√N ≈ 0.0032.
    expect(Math.abs(correlation)).toBeLessThan(0.016);
    // Both at 10 %: about 1 % of subjects (1,000 ± 5σ, σ ≈ 31) get both; identical bucketing would give 10 %.
    const both = a.filter((bucket, i) => bucket < 1000 && b[i] < 1000).length;
    expect(Math.abs(both - 1000)).toBeLessThan(160);
  });
});
