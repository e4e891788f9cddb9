'use strict';
/**
 * Simulated phases through the checkpoint's own compiled checks (docs/beta-monitor-checks.md §8):
 * how often a 24-checkpoint phase with equal rates goes RED — the checks over the phase, the hourly
 * window's checks and the whole checkpoint — and how soon a doubled 5xx rate or a 10 % relative
 * drop in matching success is caught, at the runbook's Phase 1 and Phase 2 volumes.
 * Seeded: the same figures on every run. Needs a build (`nest build`).
 *
 *   node bench/sequential-sim.js            prints the tables
 *   SIM_TRIALS=4000 node bench/sequential-sim.js   more phases per scenario (default 2,000; twice that
 *                                                  for equal rates)
 */
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist', 'src', 'beta-monitor');
const { checkHttpErrors, checkMatching, verdict } = require(join(dist, 'checks.js'));
const { checkErrorRate5xxPhase, checkMatchingSuccessPhase } = require(join(dist, 'phase-checks.js'));

const HOURS = 24;
const LOOKS = [1, 2, 4, 8, 12, 24];
const TRIALS = Number(process.env.SIM_TRIALS ?? 2_000);
const SEED = 20261204;

/** Requests per hour; one matching outcome per 5 requests. Control is everyone else of 200,000 requests/hour. */
const PHASES = {
  'Phase 1 (10 passengers × 5 requests/h)': { treatment: 50, control: 200_000 - 50 },
  'Phase 2 (1 % of 200,000 requests/h)': { treatment: 2_000, control: 198_000 },
};
const MATCHES_PER_REQUEST = 1 / 5;
const BASE_5XX = 0.01;
const BASE_SUCCESS = 0.9;
const SCENARIOS = {
  'equal rates': { rate5xx: BASE_5XX, success: BASE_SUCCESS },
  '5xx doubled (1 % → 2 %)': { rate5xx: 2 * BASE_5XX, success: BASE_SUCCESS },
  'matching success −10 % (90 % → 81 %)': { rate5xx: BASE_5XX, success: BASE_SUCCESS * 0.9 },
};

/** mulberry32: a small seeded generator. */
function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
function normal(next) {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/**
 * Binomial(n, p): exact by geometric skips between successes (about n·p draws) up to a mean of
 * 1,000; above it the normal approximation, rounded (its error there is far below the
 * simulation's own).
 */
function binomial(n, p, next) {
  if (p > 0.5) return n - binomial(n, 1 - p, next);
  if (p <= 0) return 0;
  const mean = n * p;
  if (mean > 1_000) return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * normal(next))));
  const logQ = Math.log1p(-p);
  let count = 0;
  for (let at = Math.floor(Math.log(1 - next()) / logQ); at < n; at += 1 + Math.floor(Math.log(1 - next()) / logQ))
    count += 1;
  return count;
}

function httpCounts(total, c5xx) {
  return { total, c2xx: total - c5xx, c3xx: 0, c4xx: 0, c5xx, c401: 0, c403: 0, c429: 0 };
}

/** One arm's hour: requests with 5xx, matching outcomes with successes. */
function arm(requests, rates, next) {
  const matchingTotal = Math.round(requests * MATCHES_PER_REQUEST);
  return {
    requests,
    c5xx: binomial(requests, rates.rate5xx, next),
    matchingTotal,
    matchingSuccess: binomial(matchingTotal, rates.success, next),
  };
}

const isCritical = (result) => result.alerts.some((alert) => alert.severity === 'CRITICAL');
/** A WARN whose observed success is below baseline × 0.9: over the line, not significant. */
const isUnprovenDrop = (alert) =>
  alert.code === 'MATCHING_SUCCESS_DROP' &&
  alert.severity === 'WARN' &&
  alert.observed.successRate < alert.expected.criticalBelow;

/**
 * One phase of 24 hourly checkpoints. Returns, per signal, the first hour (1-based) it fired, or
 * null: the phase checks (5xx CRITICAL, matching any alert, matching CRITICAL), the hourly window
 * checks (5xx CRITICAL, matching CRITICAL, matching WARN below baseline × 0.9 but not significant)
 * and the whole checkpoint's RED.
 */
function phase(volume, rates, next) {
  const hours = [];
  const first = {};
  const mark = (name, hour, fired) => {
    if (fired && first[name] === undefined) first[name] = hour;
  };
  for (let hour = 1; hour <= HOURS; hour++) {
    const treatment = arm(volume.treatment, rates, next);
    const control = arm(volume.control, { rate5xx: BASE_5XX, success: BASE_SUCCESS }, next);
    hours.push({ start: String(hour), treatment, control });
    const phase5xx = checkErrorRate5xxPhase(hours);
    const phaseMatching = checkMatchingSuccessPhase(hours);
    const hourly5xx = checkHttpErrors({
      treatment: httpCounts(treatment.requests, treatment.c5xx),
      control: httpCounts(control.requests, control.c5xx),
      prePhase: null,
    });
    const matchingStats = (a) => ({ total: a.matchingTotal, success: a.matchingSuccess, ttmP50: null, ttmP95: null });
    const hourlyMatching = checkMatching({ treatment: matchingStats(treatment), baseline: matchingStats(control) });
    mark('phase5xx', hour, isCritical(phase5xx));
    mark('phaseMatching', hour, phaseMatching.alerts.length > 0);
    mark('phaseMatchingCritical', hour, isCritical(phaseMatching));
    mark('phaseAny', hour, isCritical(phase5xx) || isCritical(phaseMatching));
    mark('hourly5xx', hour, isCritical(hourly5xx));
    mark('hourlyMatching', hour, isCritical(hourlyMatching));
    mark('hourlyMatchingUnproven', hour, hourlyMatching.alerts.some(isUnprovenDrop));
    mark('hourlyAny', hour, isCritical(hourly5xx) || isCritical(hourlyMatching));
    mark('checkpointRed', hour, verdict([phase5xx, phaseMatching, hourly5xx, hourlyMatching]).health === 'RED');
  }
  return first;
}

/** For each signal, the share of phases in which it had fired by each look. */
function simulate(volume, rates, trials, seed) {
  const next = generator(seed);
  const fired = {};
  for (let trial = 0; trial < trials; trial++) {
    for (const [name, hour] of Object.entries(phase(volume, rates, next))) {
      fired[name] ??= new Array(HOURS + 1).fill(0);
      fired[name][hour] += 1;
    }
  }
  const byLook = {};
  for (const [name, counts] of Object.entries(fired)) {
    let sum = 0;
    const cumulative = counts.map((count) => (sum += count) / trials);
    byLook[name] = Object.fromEntries(LOOKS.map((look) => [look, cumulative[look]]));
  }
  return byLook;
}

const SIGNALS = {
  phase5xx: '5xx over the phase (CRITICAL)',
  phaseMatching: 'matching over the phase (any alert)',
  phaseMatchingCritical: 'matching over the phase (CRITICAL)',
  phaseAny: 'both checks over the phase (RED)',
  hourly5xx: 'hourly 5xx window (CRITICAL)',
  hourlyMatching: 'hourly matching window (CRITICAL)',
  hourlyMatchingUnproven: 'hourly matching window (WARN: below − 10 %, not significant)',
  hourlyAny: 'both hourly window checks (RED)',
  checkpointRed: 'whole checkpoint (RED)',
};

const percent = (value) => (value === undefined ? '0 %' : `${(value * 100).toFixed(value < 0.1 ? 2 : 1)} %`);

/** Runs every phase × scenario; returns {phase: {scenario: {signal: {look: share}}}}. */
function runAll(trials = TRIALS) {
  const figures = {};
  let seed = SEED;
  for (const [phaseName, volume] of Object.entries(PHASES)) {
    figures[phaseName] = {};
    // Twice the phases for equal rates: a false-alarm share near 1 % needs the precision.
    for (const [scenario, rates] of Object.entries(SCENARIOS))
      figures[phaseName][scenario] = simulate(volume, rates, scenario === 'equal rates' ? 2 * trials : trials, seed++);
  }
  return figures;
}

function table(figures) {
  const lines = [];
  for (const [phaseName, scenarios] of Object.entries(figures)) {
    for (const [scenario, signals] of Object.entries(scenarios)) {
      lines.push(`\n${phaseName}, ${scenario}: share of phases with the signal by hour`);
      lines.push(`| signal | ${LOOKS.map((look) => `h${look}`).join(' | ')} |`);
      lines.push(`|---|${LOOKS.map(() => '---:').join('|')}|`);
      for (const [signal, label] of Object.entries(SIGNALS))
        lines.push(`| ${label} | ${LOOKS.map((look) => percent(signals[signal]?.[look])).join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

module.exports = { runAll, table, TRIALS, HOURS };

if (require.main === module) {
  const started = Date.now();
  const figures = runAll();
  console.log(
    `${2 * TRIALS} (equal rates) or ${TRIALS} simulated phases of ${HOURS} hourly checkpoints per table, seed ${SEED}`,
  );
  console.log(table(figures));
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
