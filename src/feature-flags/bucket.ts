/**
 * MurmurHash3 x86 32-bit over UTF-8 bytes, and a subject's bucket for a flag (docs/resolver.md,
 * docs/resolver.md).
 *
 * Hand-written on purpose. Checked on npm (source read via `npm pack`):
 * - `murmurhash` 2.0.1: correct on UTF-8, but builds a `new TextEncoder()` and a `Uint8Array`
 *   on every call.
 * - `murmurhash3js-revisited` 3.0.0: correct on bytes only (a string answers `undefined`), so
 *   the caller must encode (allocate), and it re-validates every byte on every call.
 * - `imurmurhash` 0.1.4: hashes UTF-16 code units, so `Jørgen`, `山田太郎` and `🚕-rider-7`
 *   get the wrong hash (other services hash UTF-8 bytes).
 * This one reads the strings directly, encoding UTF-8 on the fly (an ASCII fast path of four
 * characters per step, then 2-, 3- and 4-byte sequences with surrogate pairs), with
 * `Math.imul` for the 32-bit products. `bucketOf` hashes `flagKey`, `:` and `subjectId`
 * without concatenating them and keeps the hash state after `flagKey:` per key, so a bucket
 * costs one pass over the subject ID and no allocation. The module-level state (a scratch
 * state and that bounded cache) never changes an answer: every function here is deterministic.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const COLON = 0x3a;

/** The number of buckets: a bucket is 0..9999, one per basis point of rollout. */
export const BUCKET_COUNT = 10000;

/** Mixes one little-endian 4-byte block into the running hash. */
function mixBlock(h: number, block: number): number {
  let k = Math.imul(block, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * A hash in progress, kept in an `Int32Array` so that no intermediate value is ever boxed:
 * [running hash, pending bytes (little-endian), pending bit count 0/8/16/24, byte length].
 */
type HashState = Int32Array;
const H = 0;
const PENDING = 1;
const PENDING_BITS = 2;
const LENGTH = 3;

function startState(state: HashState, seed: number): void {
  state[H] = seed;
  state[PENDING] = 0;
  state[PENDING_BITS] = 0;
  state[LENGTH] = 0;
}

/** Appends 1–4 bytes (`bytes`, little-endian) to the pending ones; a full block goes into the hash. */
function appendBytes(state: HashState, bytes: number, count: number): void {
  let pendingBits = state[PENDING_BITS];
  let pending = state[PENDING] | (bytes << pendingBits);
  pendingBits += count << 3;
  if (pendingBits >= 32) {
    state[H] = mixBlock(state[H], pending);
    pendingBits -= 32;
    pending = pendingBits === 0 ? 0 : bytes >>> ((count << 3) - pendingBits);
  }
  state[PENDING] = pending;
  state[PENDING_BITS] = pendingBits;
  state[LENGTH] += count;
}

/**
 * Appends the UTF-8 bytes of `s`, encoded on the fly. Unpaired surrogates encode as U+FFFD
 * (EF BF BD), as `TextEncoder` and `Buffer.from` do (subject IDs are well-formed anyway).
 */
function appendUtf8(state: HashState, s: string): void {
  let h = state[H];
  let pending = state[PENDING];
  let pendingBits = state[PENDING_BITS];
  let length = state[LENGTH];
  const n = s.length;
  let i = 0;
  while (i < n) {
    let bytes: number; // 1–4 UTF-8 bytes, little-endian (first byte lowest)
    let count: number;
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      let c1 = 0x80;
      let c2 = 0x80;
      let c3 = 0x80;
      if (i + 3 < n) {
        c1 = s.charCodeAt(i + 1);
        c2 = s.charCodeAt(i + 2);
        c3 = s.charCodeAt(i + 3);
      }
      if ((c1 | c2 | c3) < 0x80) {
        bytes = c | (c1 << 8) | (c2 << 16) | (c3 << 24);
        count = 4;
        i += 4;
      } else {
        bytes = c;
        count = 1;
        i += 1;
      }
    } else if (c < 0x800) {
      bytes = 0xc0 | (c >>> 6) | ((0x80 | (c & 0x3f)) << 8);
      count = 2;
      i += 1;
    } else if ((c & 0xfc00) === 0xd800 && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      const cp = 0x10000 + ((c & 0x3ff) << 10) + (s.charCodeAt(i + 1) & 0x3ff);
      bytes =
        0xf0 |
        (cp >>> 18) |
        ((0x80 | ((cp >>> 12) & 0x3f)) << 8) |
        ((0x80 | ((cp >>> 6) & 0x3f)) << 16) |
        ((0x80 | (cp & 0x3f)) << 24);
      count = 4;
      i += 2;
    } else {
      const u = (c & 0xf800) === 0xd800 ? 0xfffd : c;
      bytes = 0xe0 | (u >>> 12) | ((0x80 | ((u >>> 6) & 0x3f)) << 8) | ((0x80 | (u & 0x3f)) << 16);
      count = 3;
      i += 1;
    }
    // appendBytes, with the state in locals.
    length += count;
    pending |= bytes << pendingBits;
    pendingBits += count << 3;
    if (pendingBits >= 32) {
      h = mixBlock(h, pending);
      pendingBits -= 32;
      pending = pendingBits === 0 ? 0 : bytes >>> ((count << 3) - pendingBits);
    }
  }
  state[H] = h;
  state[PENDING] = pending;
  state[PENDING_BITS] = pendingBits;
  state[LENGTH] = length;
}

/** The tail (1–3 pending bytes), the length, and the final mix, as an unsigned integer. */
function finish(h: number, pending: number, pendingBits: number, length: number): number {
  if (pendingBits !== 0) {
    let k = Math.imul(pending, C1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, C2);
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function finishState(state: HashState): number {
  return finish(state[H], state[PENDING], state[PENDING_BITS], state[LENGTH]);
}

const scratch: HashState = new Int32Array(4);

/**
 * The state after `flagKey + ":"`, hashed once per flag key and kept: it is most of the bytes
 * of a bucket's input. The last key answers by reference comparison; others from a map,
 * bounded (cleared when full) so arbitrary keys cannot grow it.
 */
const MAX_CACHED_PREFIXES = 4096;
const prefixes = new Map<string, HashState>();
let lastKey: string | undefined;
let lastPrefix: HashState = new Int32Array(4);

function prefixOf(flagKey: string): HashState {
  if (flagKey === lastKey) return lastPrefix;
  let prefix = prefixes.get(flagKey);
  if (prefix === undefined) {
    prefix = new Int32Array(4);
    startState(prefix, 0);
    appendUtf8(prefix, flagKey);
    appendBytes(prefix, COLON, 1);
    if (prefixes.size >= MAX_CACHED_PREFIXES) prefixes.clear();
    prefixes.set(flagKey, prefix);
  }
  lastKey = flagKey;
  lastPrefix = prefix;
  return prefix;
}

function hashBytes(bytes: Uint8Array, seed: number): number {
  const length = bytes.length;
  const whole = length & ~3;
  let h = seed | 0;
  let i = 0;
  for (; i < whole; i += 4) {
    h = mixBlock(h, bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
  }
  let pending = 0;
  const rest = length & 3;
  if (rest === 3) pending |= bytes[i + 2] << 16;
  if (rest >= 2) pending |= bytes[i + 1] << 8;
  if (rest >= 1) pending |= bytes[i];
  return finish(h, pending, rest << 3, length);
}

/**
 * MurmurHash3 x86 32-bit as an unsigned integer (0..2^32-1). A string is hashed as its UTF-8
 * bytes; a `Uint8Array` (or `Buffer`) as it is.
 */
export function murmur3x86_32(input: string | Uint8Array, seed = 0): number {
  if (typeof input !== 'string') return hashBytes(input, seed);
  startState(scratch, seed);
  appendUtf8(scratch, input);
  return finishState(scratch);
}

/**
 * A subject's fixed position 0..9999 for a flag: murmur3 x86 32 (seed 0, unsigned) over the
 * UTF-8 bytes of `flagKey + ":" + subjectId`, mod 10000. The same in every language, on every
 * instance, and independent between flags.
 */
export function bucketOf(flagKey: string, subjectId: string): number {
  scratch.set(prefixOf(flagKey));
  appendUtf8(scratch, subjectId);
  return finishState(scratch) % BUCKET_COUNT;
}
