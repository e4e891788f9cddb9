import fc from 'fast-check';
import { BUCKET_COUNT, bucketOf, murmur3x86_32 } from 'src/feature-flags/bucket';

/**
 * An independent MurmurHash3 x86 32-bit, written from the C reference for clarity, not speed:
 * over a Buffer of UTF-8 bytes, blocks read with `readUInt32LE`, products in BigInt.
 */
function referenceMurmur3(bytes: Uint8Array, seed = 0): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const mul = (a: number, b: number) => Number((BigInt(a) * BigInt(b)) % 2n ** 32n);
  const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
  const scramble = (k: number) => mul(rotl(mul(k, 0xcc9e2d51), 15), 0x1b873593);
  let h = seed >>> 0;
  const blocks = Math.floor(buffer.length / 4);
  for (let block = 0; block < blocks; block++) {
    h = (h ^ scramble(buffer.readUInt32LE(block * 4))) >>> 0;
    h = rotl(h, 13);
    h = (mul(h, 5) + 0xe6546b64) % 2 ** 32;
  }
  const tail = blocks * 4;
  const rest = buffer.length - tail;
  let k = 0;
  if (rest >= 3) k ^= buffer[tail + 2] << 16;
  if (rest >= 2) k ^= buffer[tail + 1] << 8;
  if (rest >= 1) {
    k ^= buffer[tail];
    h = (h ^ scramble(k)) >>> 0;
  }
  h = (h ^ buffer.length) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = mul(h, 0x85ebca6b);
  h = (h ^ (h >>> 13)) >>> 0;
  h = mul(h, 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  return h;
}

const referenceBucket = (flagKey: string, subjectId: string) =>
  referenceMurmur3(Buffer.from(`${flagKey}:${subjectId}`, 'utf8')) % 10000;

const FLAG = 'passenger_favorites_matching';

/** docs/resolver.md publishes these: an implementation in any language must reproduce them. */
const PUBLISHED_VECTORS: ReadonlyArray<[string, number, number]> = [
  ['pass_beta_001_2026', 1729198133, 8133],
  ['pass_beta_005_2026', 3138376523, 6523],
  ['pass_000042_2026', 442988229, 8229],
  ['passenger-123', 147707111, 7111],
  ['Jørgen', 1283921208, 1208],
  ['山田太郎', 2290593910, 3910],
  ['🚕-rider-7', 845236834, 6834],
];

describe('bucketOf and murmur3x86_32 reproduce the published vectors (docs/resolver.md)', () => {
  it.each(PUBLISHED_VECTORS)('%s → murmur3 %d, bucket %d', (subjectId, hash, bucket) => {
    expect(murmur3x86_32(`${FLAG}:${subjectId}`)).toBe(hash);
    expect(murmur3x86_32(Buffer.from(`${FLAG}:${subjectId}`, 'utf8'))).toBe(hash);
    expect(referenceMurmur3(Buffer.from(`${FLAG}:${subjectId}`, 'utf8'))).toBe(hash);
    expect(bucketOf(FLAG, subjectId)).toBe(bucket);
  });

  it('matches Unleash\'s published vector murmur3("AB12A:122") % 100 + 1 = 23', () => {
    expect((murmur3x86_32('AB12A:122') % 100) + 1).toBe(23);
    expect((referenceMurmur3(Buffer.from('AB12A:122')) % 100) + 1).toBe(23);
  });

  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    // What a UTF-16 (or charCodeAt & 0xff) implementation would hash instead.
    const utf16 = Buffer.from(`${FLAG}:Jørgen`, 'utf16le');
    const latin1 = Buffer.from(`${FLAG}:Jørgen`, 'latin1');
    expect(murmur3x86_32(`${FLAG}:Jørgen`)).not.toBe(murmur3x86_32(utf16));
    expect(murmur3x86_32(`${FLAG}:Jørgen`)).not.toBe(murmur3x86_32(latin1));
  });
});

describe('murmur3x86_32 against published MurmurHash3_x86_32 values', () => {
  // Values of the C reference (SMHasher) as commonly published; checked here against the
  // independent implementation above too.
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['\0\0\0\0', 0, 0x2362f9de],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['abc', 0, 0xb3dd93fa],
    ['Hello, world!', 0, 0xc0363e43],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ])('%j with seed %d → %d', (input, seed, hash) => {
    expect(referenceMurmur3(Buffer.from(input, 'utf8'), seed)).toBe(hash);
    expect(murmur3x86_32(input, seed)).toBe(hash);
    expect(murmur3x86_32(Buffer.from(input, 'utf8'), seed)).toBe(hash);
  });

  it('defaults to seed 0 and answers unsigned 32-bit integers', () => {
    expect(murmur3x86_32('Hello, world!')).toBe(murmur3x86_32('Hello, world!', 0));
    const hash = murmur3x86_32(`${FLAG}:pass_beta_005_2026`);
    expect(hash).toBeGreaterThan(2 ** 31); // would be negative if it were signed
    expect(Number.isInteger(hash)).toBe(true);
  });
});

describe('UTF-8 encoded on the fly', () => {
  // Each multi-byte sequence at every alignment within a 4-byte block, and every tail length.
  const pieces = [
    'a',
    'ø',
    '€',
    '山田',
    '🚕',
    '\u{10ffff}',
    '\u{7f}',
    '\u{80}',
    '\u{7ff}',
    '\u{800}',
    '\u{ffff}',
    '\u{10000}',
  ];
  const inputs = pieces.flatMap((piece) =>
    [0, 1, 2, 3, 4, 5, 6, 7].map((padding) => `${'x'.repeat(padding)}${piece}${'y'.repeat(padding % 3)}`),
  );

  it.each(inputs)('%j hashes like its UTF-8 bytes', (input) => {
    expect(murmur3x86_32(input)).toBe(referenceMurmur3(Buffer.from(input, 'utf8')));
    expect(murmur3x86_32(input, 0x9747b28c)).toBe(referenceMurmur3(Buffer.from(input, 'utf8'), 0x9747b28c));
  });

  it('encodes unpaired surrogates as U+FFFD, like TextEncoder and Buffer', () => {
    for (const input of ['\ud800', 'a\udc00b', 'ab\ud83d', '\udc00\ud800', '\ud83d\ud83d\ude95']) {
      expect(murmur3x86_32(input)).toBe(referenceMurmur3(new TextEncoder().encode(input)));
      expect(murmur3x86_32(input)).toBe(murmur3x86_32(input.toWellFormed()));
    }
  });

  it('hashes a Uint8Array that is a view into a larger buffer by its own bytes', () => {
    const whole = Buffer.from(`xx${FLAG}:Jørgenyy`, 'utf8');
    const view = whole.subarray(2, whole.length - 2);
    expect(murmur3x86_32(view)).toBe(1283921208);
    expect(murmur3x86_32(new Uint8Array(view))).toBe(1283921208);
  });

  it('equals the reference on arbitrary Unicode strings and seeds (property)', () => {
    const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 40 }),
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.string({ unit: anyCodeUnit, maxLength: 40 }),
        ),
        fc.integer({ min: 0, max: 0xffffffff }),
        (input, seed) => {
          const expected = referenceMurmur3(Buffer.from(input, 'utf8'), seed);
          expect(murmur3x86_32(input, seed)).toBe(expected);
          expect(murmur3x86_32(Buffer.from(input, 'utf8'), seed)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('bucketOf', () => {
  it('is murmur3 of `flagKey:subjectId` mod 10000 for arbitrary keys and subjects (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 })),
        (flagKey, subjectId) => {
          const bucket = bucketOf(flagKey, subjectId);
          expect(bucket).toBe(referenceBucket(flagKey, subjectId));
          expect(Number.isInteger(bucket) && bucket >= 0 && bucket < BUCKET_COUNT).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives the same buckets whatever the order of flag keys (per-key state kept correctly)', () => {
    // More keys than the kept states, interleaved, then the same subjects again in reverse.
    const keys = Array.from({ length: 5000 }, (_, i) => `flag_${i}`);
    const subjects = ['pass_beta_001_2026', 'Jørgen', '山田太郎', '🚕-rider-7', ''];
    const first = keys.map((key, i) => bucketOf(key, subjects[i % subjects.length]));
    const again = [...keys].reverse().map((key) => bucketOf(key, subjects[keys.indexOf(key) % subjects.length]));
    expect(again.reverse()).toEqual(first);
    keys.forEach((key, i) => {
      if (i % 97 === 0) expect(first[i]).toBe(referenceBucket(key, subjects[i % subjects.length]));
    });
    for (const [subjectId, , bucket] of PUBLISHED_VECTORS) {
      expect(bucketOf('other_flag', subjectId)).toBe(referenceBucket('other_flag', subjectId));
      expect(bucketOf(FLAG, subjectId)).toBe(bucket);
    }
  });

  it('does not confuse where the colon falls', () => {
    expect(bucketOf('ab', 'c')).toBe(referenceBucket('ab', 'c'));
    expect(bucketOf('a', 'bc')).toBe(referenceBucket('a', 'bc'));
    expect(bucketOf('ab', 'c')).not.toBe(bucketOf('a', 'bc'));
  });
});
