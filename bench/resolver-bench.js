'use strict';
/**
 * Micro-benchmark of the resolver (docs/benchmarks.md: ≥ 3 M evaluations/s on one core, ≤ 330 ns each,
 * with a 1 M-entry allowlist loaded). Run by hand, not a test:
 *
 *   npx nest build && taskset -c 0 node bench/resolver-bench.js
 *
 * An optional argument names another compiled resolver.js. The subjects are 1,000 pre-generated
 * IDs cycled, half on the allowlist and half not (a few non-ASCII), for a flag at 5 % rollout;
 * the headline figures at the end are that mix. Also printed: other mixes, ten flags in turn,
 * 100,000 distinct subjects (then lookups in the 1 M-entry Set miss the CPU caches and memory
 * latency dominates), and the cost of the hash and of the Set lookup alone.
 */
const path = require('node:path');

const resolverPath = path.resolve(process.argv[2] ?? path.join(__dirname, '../dist/src/feature-flags/resolver.js'));
const { evaluate } = require(resolverPath);
const { bucketOf } = require(path.join(path.dirname(resolverPath), 'bucket.js'));

const ALLOWLIST_SIZE = 1_000_000;
const SUBJECTS = 1_000;
const ITERATIONS = 5_000_000;
const ROUNDS = 7;

const allowlist = new Set();
for (let i = 0; i < ALLOWLIST_SIZE; i++) allowlist.add(`pass_${String(i).padStart(7, '0')}_2026`);
const flag = Object.freeze({
  key: 'passenger_favorites_matching',
  enabled: true,
  rolloutBasisPoints: 500,
  version: 7,
  archived: false,
  allowlist,
});

function subjects(allowlistedShare, count = SUBJECTS) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    // Fresh string objects (built by concatenation), as a request would bring, not the Set's own.
    if (i < count * allowlistedShare)
      ids.push(['pass_', String((i * 997) % ALLOWLIST_SIZE).padStart(7, '0'), '_2026'].join(''));
    else if (i % 50 === 0) ids.push(['Jørgen-', i, '-山田太郎-🚕'].join(''));
    else ids.push(['passenger-', i, '-', (i * 7919) % 100_000].join(''));
  }
  // Interleave allowlisted and other subjects.
  for (let i = ids.length - 1; i > 0; i--) {
    const j = (i * 7 + 3) % (i + 1);
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return ids;
}

function run(ids, evaluateOnce, flags) {
  let on = 0;
  const start = process.hrtime.bigint();
  for (let i = 0, j = 0, f = 0; i < ITERATIONS; i++) {
    if (evaluateOnce(flags[f], ids[j], false).enabled) on++;
    if (++j === ids.length) j = 0;
    if (++f === flags.length) f = 0;
  }
  const ns = Number(process.hrtime.bigint() - start) / ITERATIONS;
  return { ns, on };
}

function measure(label, ids, evaluateOnce, flags = [flag]) {
  run(ids, evaluateOnce, flags); // warm up
  const figures = [];
  let on = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const result = run(ids, evaluateOnce, flags);
    figures.push(result.ns);
    on = result.on;
  }
  figures.sort((a, b) => a - b);
  const median = figures[Math.floor(ROUNDS / 2)];
  console.log(
    `${label.padEnd(44)} ${median.toFixed(1).padStart(7)} ns/evaluation  ${(1e9 / median / 1e6).toFixed(2).padStart(6)} M evaluations/s` +
      `  (best ${figures[0].toFixed(1)} ns, ON ${((on / ITERATIONS) * 100).toFixed(1)} %)`,
  );
  return median;
}

console.log(
  `node ${process.version}, allowlist ${allowlist.size.toLocaleString('en')} subjects, ${SUBJECTS} subjects cycled, ${ITERATIONS.toLocaleString('en')} evaluations × ${ROUNDS} rounds`,
);
const baseline = (f, id) => ({ enabled: id.length > 12, reason: 'ROLLOUT', bucket: 0, version: f.version });
measure('reference: loop + trivial answer', subjects(0.5), baseline);
const mixed = measure('evaluate, 50 % allowlisted', subjects(0.5), evaluate);
measure('evaluate, none allowlisted (rollout path)', subjects(0), evaluate);
measure('evaluate, all allowlisted', subjects(1), evaluate);
// Ten flags in turn (as the bulk endpoint does), sharing the 1 M allowlist.
const tenFlags = Array.from({ length: 10 }, (_, i) => Object.freeze({ ...flag, key: `flag_number_${i}_of_ten` }));
measure('evaluate, 50 % allowlisted, 10 flags in turn', subjects(0.5), evaluate, tenFlags);
// 100,000 distinct subjects: fewer CPU cache hits in the allowlist and the string table.
measure('evaluate, 50 % allowlisted, 100,000 subjects', subjects(0.5, 100_000), evaluate);
// Where the time goes.
measure('  of which: bucketOf alone', subjects(0.5), (f, id) => ({
  enabled: bucketOf(f.key, id) < f.rolloutBasisPoints,
}));
measure('  of which: 1 M allowlist Set.has alone', subjects(0.5), (f, id) => ({ enabled: f.allowlist.has(id) }));
console.log(`\nevaluations/s: ${Math.round(1e9 / mixed).toLocaleString('en')}`);
console.log(`ns/evaluation: ${mixed.toFixed(1)} (target ≤ 330)`);
