import type { AuditEventResponseDto } from 'src/audit/audit-event.dto';
import {
  SIGNIFICANCE_ALPHA,
  binomialLowerTail,
  binomialUpperTail,
  smallestDetectableCount,
  smoothedRate,
} from 'src/beta-monitor/statistics';
import { Evaluation } from 'src/feature-flags/resolver';
import type { HttpCounts } from 'src/telemetry/telemetry-aggregator';

/*
 * The checkpoint's decisions (docs/beta-monitor-checks.md): plain inputs in, a
 * CheckResult out; no Nest, no database, no clock.
 */

/** A checkpoint's status, the one definition (the DTOs, the alerts and /metrics use it). */
export const CHECKPOINT_STATUSES = ['PASS', 'WARN', 'FAIL', 'ERROR'] as const;
export type CheckpointStatus = (typeof CHECKPOINT_STATUSES)[number];
export type CheckpointHealth = 'GREEN' | 'YELLOW' | 'RED';

export type AlertSeverity = 'WARN' | 'CRITICAL';

/** The codes the checks raise. `code` stays a string so a checkpoint can record others (e.g. ROLLBACK_EXECUTED). */
export type AlertCode =
  | 'CONFIG_DRIFT'
  | 'DETERMINISM_FAIL'
  | 'ERROR_RATE_5XX'
  | 'ERROR_RATE_4XX'
  | 'LATENCY_P95'
  | 'CRITICAL_COMPLAINT'
  | 'MINOR_COMPLAINT'
  | 'MATCHING_SUCCESS_DROP'
  | 'TIME_TO_MATCH'
  | 'TELEMETRY_MISSING'
  | 'SAMPLE_RATIO_MISMATCH';

export type Alert = {
  code: string;
  severity: AlertSeverity;
  message: string;
  observed: unknown;
  expected: unknown;
};

export type CheckOutcome = 'PASS' | 'WARN' | 'FAIL' | 'INSUFFICIENT_DATA' | 'ERROR';

export type CheckResult = {
  name: string;
  outcome: CheckOutcome;
  alerts: Alert[];
  evidence: Record<string, unknown>;
};

export type Verdict = { status: CheckpointStatus; health: CheckpointHealth };

/** Alerts that make a phase with `autoRollback` roll itself back, and that fail the go/no-go's NO_ROLLBACK_TRIGGERS. */
export const ROLLBACK_TRIGGER_CODES: ReadonlySet<string> = new Set([
  'ERROR_RATE_5XX',
  'DETERMINISM_FAIL',
  'CRITICAL_COMPLAINT',
]);

/** Fewer treatment requests than this and a quiet check proves nothing (docs/beta-monitor-checks.md). */
export const MIN_TREATMENT_REQUESTS = 30;
/** Control traffic of the window is the baseline from this many requests on. */
export const MIN_CONTROL_REQUESTS = 100;
/** "Above baseline + 10 %" (runbook §2 RED), relative. */
export const RELATIVE_MARGIN = 1.1;
/** Runbook §6 P0: a 5xx rate above 10 % is critical whatever the baseline, from this many requests on. */
export const P0_5XX_RATE = 0.1;
export const P0_MIN_REQUESTS = 10;
export const LATENCY_FACTOR = 1.5;
export const LATENCY_WARN_FRACTION = 0.8;
export const MATCHING_CRITICAL_FACTOR = 0.9;
export const TIME_TO_MATCH_FACTOR = 1.2;

export function alertOf(
  code: AlertCode,
  severity: AlertSeverity,
  message: string,
  observed: unknown,
  expected: unknown,
): Alert {
  return { code, severity, message, observed, expected };
}

/** FAIL on a CRITICAL alert, WARN on a WARN alert, else PASS. */
function outcomeOf(alerts: readonly Alert[]): CheckOutcome {
  if (alerts.some((alert) => alert.severity === 'CRITICAL')) return 'FAIL';
  return alerts.length > 0 ? 'WARN' : 'PASS';
}

export function resultOf(
  name: string,
  alerts: Alert[],
  evidence: Record<string, unknown>,
  quiet: CheckOutcome = 'PASS',
): CheckResult {
  const outcome = outcomeOf(alerts);
  return { name, outcome: outcome === 'PASS' ? quiet : outcome, alerts, evidence };
}

/** "8.1 %", "0.11 %", "0 %". */
export function formatPercent(rate: number): string {
  const percent = rate * 100;
  return `${Number(percent >= 1 ? percent.toFixed(1) : percent.toPrecision(2))} %`;
}

export const rateOf = (count: number, total: number): number => (total > 0 ? count / total : 0);

// ——— 1. Config snapshot ———

/** An audit event as the checkpoint names it: who, when, what. */
export type AuditEvent = Readonly<
  Pick<AuditEventResponseDto, 'at' | 'actor' | 'actorRole' | 'action' | 'before' | 'after' | 'reason'>
>;

export type ConfigSnapshot = Readonly<{
  enabled: boolean;
  rolloutPercentage: number;
  allowlistCount: number;
  masterSwitch: 'off' | null;
  version: number;
}>;

export type ExpectedConfig = Readonly<{ enabled: boolean; rolloutPercentage: number; allowlistCount: number }>;

export type ConfigCheckInput = Readonly<{
  actual: ConfigSnapshot;
  expected: ExpectedConfig;
  allowlistTolerance?: number;
  /** The flag's audit events since the phase started, oldest first. */
  changes: readonly AuditEvent[];
  /** Only to name the master-switch variable in the message. */
  featureKey?: string;
}>;

type ConfigField = 'enabled' | 'rolloutPercentage' | 'allowlistCount';

function fieldOf(state: unknown, field: ConfigField): unknown {
  return typeof state === 'object' && state !== null ? (state as Record<string, unknown>)[field] : undefined;
}

/** The events that changed `field`: their before and after both carry it and differ. */
function changesOf(changes: readonly AuditEvent[], field: ConfigField): AuditEvent[] {
  return changes.filter((event) => {
    const before = fieldOf(event.before, field);
    const after = fieldOf(event.after, field);
    return after !== undefined && before !== after;
  });
}

function describeChange(event: AuditEvent, field: ConfigField): string {
  const from = fieldOf(event.before, field);
  const to = fieldOf(event.after, field);
  const values = from === undefined ? `→ ${String(to)}` : `${String(from)} → ${String(to)}`;
  const reason = event.reason ? `, reason "${event.reason}"` : '';
  return `${event.actor} (${event.actorRole}) at ${event.at}: ${event.action} ${values}${reason}`;
}

function blame(changes: readonly AuditEvent[], field: ConfigField): string {
  const events = changesOf(changes, field);
  if (events.length === 0) return 'no audit event since the phase started explains it';
  const last = events[events.length - 1];
  const earlier = events.length > 1 ? ` (and ${events.length - 1} earlier change${events.length > 2 ? 's' : ''})` : '';
  return `changed by ${describeChange(last, field)}${earlier}`;
}

const sameRollout = (a: number, b: number): boolean => Math.round(a * 100) === Math.round(b * 100);

function masterSwitchName(featureKey: string | undefined): string {
  return featureKey ? `FEATURE_${featureKey.toUpperCase()}` : 'FEATURE_<KEY>';
}

/**
 * Check 1. `enabled` or `rolloutPercentage` differing from the phase, or the master switch
 * forcing the flag off → CONFIG_DRIFT CRITICAL; the allowlist count off by at most the
 * tolerance → WARN, by more → CRITICAL. Every alert names the audit event behind it.
 */
export function checkConfig(input: ConfigCheckInput): CheckResult {
  const { actual, expected, changes } = input;
  const tolerance = input.allowlistTolerance ?? 1;
  const alerts: Alert[] = [];
  const drifted: ConfigField[] = [];
  const drift = (field: ConfigField, severity: AlertSeverity, detail = '') => {
    drifted.push(field);
    alerts.push(
      alertOf(
        'CONFIG_DRIFT',
        severity,
        `${field} is ${String(actual[field])}, expected ${String(expected[field])}${detail} — ${blame(changes, field)}`,
        { [field]: actual[field] },
        { [field]: expected[field] },
      ),
    );
  };
  if (actual.masterSwitch === 'off') {
    alerts.push(
      alertOf(
        'CONFIG_DRIFT',
        'CRITICAL',
        `the master switch ${masterSwitchName(input.featureKey)} is off: the flag is OFF for everyone (Level 2 rollback in force)`,
        { masterSwitch: 'off' },
        { masterSwitch: null },
      ),
    );
  }
  if (actual.enabled !== expected.enabled) drift('enabled', 'CRITICAL');
  if (!sameRollout(actual.rolloutPercentage, expected.rolloutPercentage)) drift('rolloutPercentage', 'CRITICAL');
  const allowlistOff = Math.abs(actual.allowlistCount - expected.allowlistCount);
  if (allowlistOff > 0) {
    drift(
      'allowlistCount',
      allowlistOff <= tolerance ? 'WARN' : 'CRITICAL',
      ` (off by ${allowlistOff}, tolerance ${tolerance})`,
    );
  }
  return resultOf('config', alerts, {
    actual,
    expected,
    allowlistTolerance: tolerance,
    drifted,
    changes: changes.map(({ at, actor, actorRole, action, before, after, reason }) => ({
      at,
      actor,
      actorRole,
      action,
      before,
      after,
      reason,
    })),
  });
}

// ——— 2. Determinism ———

export type DeterminismProbe = Readonly<{ subjectId: string; inAllowlist: boolean }>;
export type DeterminismAnswers = Readonly<{ subjectId: string; live: readonly Evaluation[]; fresh: Evaluation | null }>;

/** Live answers needed per probe ("at least twice through the live resolver", docs/beta-monitor-checks.md). */
export const MIN_LIVE_ANSWERS = 2;

const describeAnswer = (answer: Evaluation): string =>
  `${answer.reason} (${answer.enabled ? 'on' : 'off'}, bucket ${String(answer.bucket)}, version ${String(answer.version)})`;

const meetsExpectation = (probe: DeterminismProbe, answer: Evaluation): boolean =>
  probe.inAllowlist ? answer.reason === 'ALLOWLIST' && answer.enabled : answer.reason !== 'ALLOWLIST';

/** What is wrong with one probe's answers, or null when they agree and match. */
function probeProblem(probe: DeterminismProbe, answers: DeterminismAnswers | undefined): string | null {
  if (!answers) return 'not evaluated';
  const missing: string[] = [];
  if (answers.live.length < MIN_LIVE_ANSWERS)
    missing.push(`${answers.live.length} live answer(s), ${MIN_LIVE_ANSWERS} needed`);
  if (answers.fresh === null) missing.push('no answer from a fresh database read');
  if (missing.length > 0) return missing.join('; ');
  const all = [...answers.live, answers.fresh as Evaluation];
  const distinct = new Set(all.map((answer) => `${answer.enabled}|${answer.reason}|${String(answer.bucket)}`));
  if (distinct.size > 1) {
    const versions = new Set(all.map((answer) => answer.version));
    const moved = versions.size > 1 ? ' (the flag version moved during the check)' : '';
    return `answers disagree: ${all.map(describeAnswer).join(' / ')}${moved}`;
  }
  if (!meetsExpectation(probe, all[0])) {
    const wanted = probe.inAllowlist ? 'ALLOWLIST (on)' : 'not ALLOWLIST';
    return `expected ${wanted}, got ${describeAnswer(all[0])} from all ${all.length} answers`;
  }
  return null;
}

/**
 * Check 2. Every probe's answers (≥ 2 live, 1 fresh) must agree on enabled, reason and bucket
 * and match the expectation; anything else is DETERMINISM_FAIL CRITICAL, one alert per probe.
 * A phase without probes tested nothing: INSUFFICIENT_DATA, never a PASS.
 */
export function checkDeterminism(
  probes: readonly DeterminismProbe[],
  answers: readonly DeterminismAnswers[],
): CheckResult {
  if (probes.length === 0) {
    const evidence = { probes: [], message: 'the phase defines no determinism probes' };
    return { name: 'determinism', outcome: 'INSUFFICIENT_DATA', alerts: [], evidence };
  }
  const alerts: Alert[] = [];
  const evidence = probes.map((probe) => {
    const found = answers.find((answer) => answer.subjectId === probe.subjectId);
    const problem = probeProblem(probe, found);
    if (problem !== null) {
      alerts.push(
        alertOf(
          'DETERMINISM_FAIL',
          'CRITICAL',
          `${probe.subjectId}: ${problem}`,
          found ? { live: found.live, fresh: found.fresh } : null,
          probe.inAllowlist ? { reason: 'ALLOWLIST', enabled: true } : { reasonNot: 'ALLOWLIST' },
        ),
      );
    }
    const { subjectId, inAllowlist } = probe;
    return {
      subjectId,
      inAllowlist,
      live: found?.live ?? [],
      fresh: found?.fresh ?? null,
      pass: problem === null,
      problem,
    };
  });
  return resultOf('determinism', alerts, { probes: evidence });
}

// ——— 3. HTTP errors ———

export type HttpThresholds = Readonly<{
  /** The 5xx rate allowed when neither control traffic nor a pre-phase baseline exists (default 0). */
  max5xxRate?: number;
}>;

export type HttpErrorsInput = Readonly<{
  treatment: HttpCounts;
  control: HttpCounts | null;
  prePhase: HttpCounts | null;
  thresholds?: HttpThresholds;
}>;

export type BaselineSource = 'control' | 'pre_phase' | 'fixed';

/** What treatment traffic is compared with: observed rates for people, test rates for the binomial test. */
export type HttpBaseline = Readonly<{
  source: BaselineSource;
  counts: HttpCounts | null;
  rate5xx: number;
  /** Smoothed rate of an observed baseline; the threshold itself for a fixed one. */
  testRate5xx: number;
  /** Null for a fixed baseline: no 401/403/429 rate is configured, so they are not compared. */
  rateAuth: number | null;
  testRateAuth: number | null;
}>;

const authErrors = (counts: HttpCounts): number => counts.c401 + counts.c403 + counts.c429;

function observedBaseline(source: BaselineSource, counts: HttpCounts): HttpBaseline {
  return {
    source,
    counts,
    rate5xx: rateOf(counts.c5xx, counts.total),
    testRate5xx: smoothedRate(counts.c5xx, counts.total),
    rateAuth: rateOf(authErrors(counts), counts.total),
    testRateAuth: smoothedRate(authErrors(counts), counts.total),
  };
}

/** Control of the same window from 100 requests on, else the pre-phase baseline, else the phase's fixed threshold. */
export function selectHttpBaseline(
  control: HttpCounts | null,
  prePhase: HttpCounts | null,
  thresholds: HttpThresholds = {},
): HttpBaseline {
  if (control !== null && control.total >= MIN_CONTROL_REQUESTS) return observedBaseline('control', control);
  if (prePhase !== null && prePhase.total > 0) return observedBaseline('pre_phase', prePhase);
  const rate = thresholds.max5xxRate ?? 0;
  return { source: 'fixed', counts: null, rate5xx: rate, testRate5xx: rate, rateAuth: null, testRateAuth: null };
}

/** A p-value against `rate`; null when there is nothing to test against (a fixed rate of 0 makes every error "impossible"). */
function pValueOf(count: number, total: number, rate: number | null): number | null {
  if (rate === null || rate === 0) return null;
  return binomialUpperTail(count, total, rate);
}

/** Runbook §6 P0: more than 10 % 5xx over at least 10 requests. */
export const isP0 = (c5xx: number, total: number): boolean => total >= P0_MIN_REQUESTS && c5xx / total > P0_5XX_RATE;

/**
 * The smallest 5xx count that would have made this check CRITICAL with `total` requests: a
 * significant increase above baseline × 1.10, or the P0 rate. Null when nothing could have.
 */
export function detectable5xxCount(total: number, baseline: HttpBaseline): number | null {
  const candidates: number[] = [];
  if (total >= P0_MIN_REQUESTS) candidates.push(Math.floor(total / 10) + 1);
  if (baseline.testRate5xx > 0) {
    const significant = smallestDetectableCount(total, baseline.testRate5xx, SIGNIFICANCE_ALPHA);
    const aboveMargin = Math.floor(baseline.rate5xx * RELATIVE_MARGIN * total) + 1;
    if (significant !== null) candidates.push(Math.max(significant, aboveMargin));
  }
  const within = candidates.filter((count) => count <= total);
  return within.length > 0 ? Math.min(...within) : null;
}

function baselineLabel(baseline: HttpBaseline): string {
  if (baseline.source === 'fixed') return `the phase's fixed 5xx threshold ${formatPercent(baseline.rate5xx)}`;
  const where = baseline.source === 'control' ? 'control traffic' : 'the pre-phase baseline';
  return `${where} ${formatPercent(baseline.rate5xx)} (${baseline.counts?.c5xx} of ${baseline.counts?.total})`;
}

function fiveXxAlert(treatment: HttpCounts, baseline: HttpBaseline, pValue: number | null): Alert | null {
  const { c5xx, total } = treatment;
  const rate = rateOf(c5xx, total);
  const significant = pValue !== null && pValue < SIGNIFICANCE_ALPHA;
  const observed = { c5xx, total, rate5xx: rate, pValue };
  const expected = {
    source: baseline.source,
    rate5xx: baseline.rate5xx,
    criticalAbove: baseline.rate5xx * RELATIVE_MARGIN,
  };
  const p = pValue === null ? 'not testable against a zero threshold' : `p = ${pValue.toPrecision(2)}`;
  const what = `5xx rate ${formatPercent(rate)} (${c5xx} of ${total}) against ${baselineLabel(baseline)}`;
  if (isP0(c5xx, total)) {
    return alertOf('ERROR_RATE_5XX', 'CRITICAL', `${what}: above 10 % (P0: Level 1 rollback now)`, observed, expected);
  }
  if (significant && rate > baseline.rate5xx * RELATIVE_MARGIN) {
    return alertOf(
      'ERROR_RATE_5XX',
      'CRITICAL',
      `${what}: significant increase above baseline + 10 % (${p})`,
      observed,
      expected,
    );
  }
  if (c5xx > 0 && rate > baseline.rate5xx) {
    const why = significant ? `significant (${p}) but within baseline + 10 %` : `not significant (${p})`;
    return alertOf('ERROR_RATE_5XX', 'WARN', `${what}: above baseline, ${why}`, observed, expected);
  }
  return null;
}

function authAlert(treatment: HttpCounts, baseline: HttpBaseline, pValue: number | null): Alert | null {
  if (baseline.rateAuth === null || pValue === null || pValue >= SIGNIFICANCE_ALPHA) return null;
  const count = authErrors(treatment);
  const rate = rateOf(count, treatment.total);
  if (!(rate > baseline.rateAuth * RELATIVE_MARGIN)) return null;
  const where = baseline.source === 'control' ? 'control' : 'pre-phase';
  return alertOf(
    'ERROR_RATE_4XX',
    'WARN',
    `401/403/429 rate ${formatPercent(rate)} (${count} of ${treatment.total}) is significantly above the ${where} rate ` +
      `${formatPercent(baseline.rateAuth)} (p = ${pValue.toPrecision(2)})`,
    { c401: treatment.c401, c403: treatment.c403, c429: treatment.c429, total: treatment.total, rate, pValue },
    { source: baseline.source, rate: baseline.rateAuth, warnAbove: baseline.rateAuth * RELATIVE_MARGIN },
  );
}

function countsEvidence(counts: HttpCounts): Record<string, number> {
  return {
    ...counts,
    errorRate: rateOf(counts.c4xx + counts.c5xx, counts.total),
    rate5xx: rateOf(counts.c5xx, counts.total),
    rateAuth: rateOf(authErrors(counts), counts.total),
  };
}

function detectableNote(total: number, c5xx: number, baseline: HttpBaseline, count: number | null): string {
  const seen = `with ${total} request${total === 1 ? '' : 's'} and ${c5xx} 5xx error${c5xx === 1 ? '' : 's'}`;
  if (count === null) return `${seen}, no 5xx rate would have shown as critical`;
  const errors = `${count} error${count === 1 ? '' : 's'}`;
  return `${seen}, a 5xx rate of ${formatPercent(count / total)} or more (${errors}) would have shown against ${baselineLabel(baseline)}`;
}

/**
 * Check 3. Treatment 5xx and 401/403/429 against the baseline (see selectHttpBaseline), with
 * the exact one-sided binomial test at p < SIGNIFICANCE_ALPHA against the smoothed baseline rate.
 *
 * Order: alerts are decided first and the same way at any sample size (the exact test is
 * valid for small n, and any 5xx above baseline is what the runbook's GREEN forbids); only a
 * check that raised nothing with fewer than 30 treatment requests is INSUFFICIENT_DATA instead
 * of PASS, with the smallest 5xx rate that would have shown.
 */
export function checkHttpErrors(input: HttpErrorsInput): CheckResult {
  const { treatment } = input;
  const baseline = selectHttpBaseline(input.control, input.prePhase, input.thresholds);
  const pValue5xx = pValueOf(treatment.c5xx, treatment.total, baseline.testRate5xx);
  const pValueAuth = pValueOf(authErrors(treatment), treatment.total, baseline.testRateAuth);
  const alerts = [fiveXxAlert(treatment, baseline, pValue5xx), authAlert(treatment, baseline, pValueAuth)].filter(
    (alert): alert is Alert => alert !== null,
  );
  const insufficient = treatment.total < MIN_TREATMENT_REQUESTS;
  const detectable = detectable5xxCount(treatment.total, baseline);
  const note = detectableNote(treatment.total, treatment.c5xx, baseline, detectable);
  const evidence = {
    treatment: countsEvidence(treatment),
    control: input.control === null ? null : countsEvidence(input.control),
    baseline: {
      source: baseline.source,
      counts: baseline.counts,
      rate5xx: baseline.rate5xx,
      testRate5xx: baseline.testRate5xx,
      rateAuth: baseline.rateAuth,
      testRateAuth: baseline.testRateAuth,
    },
    pValue5xx,
    pValueAuth,
    alpha: SIGNIFICANCE_ALPHA,
    insufficientData: insufficient,
    detectable5xx: { count: detectable, rate: detectable === null ? null : detectable / treatment.total, note },
    ...(insufficient ? { message: `fewer than ${MIN_TREATMENT_REQUESTS} treatment requests: ${note}` } : {}),
  };
  return resultOf('http_errors', alerts, evidence, insufficient ? 'INSUFFICIENT_DATA' : 'PASS');
}

// ——— 4. Latency ———

export type LatencyInput = Readonly<{
  treatmentP95: number | null;
  baselineP95: number | null;
  treatmentCount: number;
  thresholds?: Readonly<{ /** The p95 allowed (ms) when there is no baseline. */ latencyP95Ms?: number }>;
}>;

/**
 * Check 4. p95 above baseline × 1.5 → LATENCY_P95 CRITICAL; above 80 % of that (baseline × 1.2)
 * → WARN. Without a baseline the phase's `latencyP95Ms` is the critical threshold; without
 * either, or with fewer than 30 requests, INSUFFICIENT_DATA (a p95 of a handful is noise).
 */
export function checkLatency(input: LatencyInput): CheckResult {
  const { treatmentP95, baselineP95, treatmentCount } = input;
  const hasBaseline = baselineP95 !== null && Number.isFinite(baselineP95) && baselineP95 > 0;
  const fixed = input.thresholds?.latencyP95Ms;
  const threshold = hasBaseline ? baselineP95 * LATENCY_FACTOR : (fixed ?? null);
  const evidence = {
    treatmentP95,
    baselineP95,
    treatmentCount,
    source: hasBaseline ? 'baseline' : fixed !== undefined ? 'fixed' : null,
    criticalAboveMs: threshold,
    warnAboveMs: threshold === null ? null : threshold * LATENCY_WARN_FRACTION,
  };
  const missing =
    treatmentP95 === null || treatmentCount < MIN_TREATMENT_REQUESTS
      ? `${treatmentCount} treatment request(s) with a latency, ${MIN_TREATMENT_REQUESTS} needed`
      : threshold === null
        ? 'no baseline p95 and no latencyP95Ms threshold to compare with'
        : null;
  if (missing !== null || treatmentP95 === null || threshold === null) {
    return { name: 'latency', outcome: 'INSUFFICIENT_DATA', alerts: [], evidence: { ...evidence, message: missing } };
  }
  const against = hasBaseline
    ? `baseline ${baselineP95} ms × 1.5 = ${threshold} ms`
    : `the phase's threshold ${threshold} ms`;
  const observed = { p95Ms: treatmentP95, count: treatmentCount };
  const alerts: Alert[] = [];
  if (treatmentP95 > threshold) {
    alerts.push(
      alertOf('LATENCY_P95', 'CRITICAL', `p95 ${treatmentP95} ms is above ${against}`, observed, {
        maxP95Ms: threshold,
      }),
    );
  } else if (treatmentP95 > threshold * LATENCY_WARN_FRACTION) {
    const warnAt = threshold * LATENCY_WARN_FRACTION;
    const message = `p95 ${treatmentP95} ms is approaching ${against} (warn above ${warnAt} ms)`;
    alerts.push(alertOf('LATENCY_P95', 'WARN', message, observed, { maxP95Ms: threshold, warnAboveMs: warnAt }));
  }
  return resultOf('latency', alerts, evidence);
}

// ——— 5. Complaints ———

export type Complaint = Readonly<{ severity: 'critical' | 'minor'; subjectId: string; summary: string; at: string }>;

function complaintAlert(code: AlertCode, severity: AlertSeverity, complaints: readonly Complaint[]): Alert {
  const kind = severity === 'CRITICAL' ? 'critical' : 'minor';
  const subjects = [...new Set(complaints.map((complaint) => complaint.subjectId))];
  const shown = subjects.slice(0, 5).join(', ') + (subjects.length > 5 ? `, … (${subjects.length} subjects)` : '');
  const message = `${complaints.length} ${kind} complaint(s) in the window, from ${shown}`;
  return alertOf(code, severity, message, { count: complaints.length, subjectIds: subjects }, { count: 0 });
}

/** Check 5. Any critical complaint → CRITICAL_COMPLAINT CRITICAL; any minor one → MINOR_COMPLAINT WARN. */
export function checkComplaints(complaints: readonly Complaint[]): CheckResult {
  const critical = complaints.filter((complaint) => complaint.severity === 'critical');
  const minor = complaints.filter((complaint) => complaint.severity === 'minor');
  const alerts: Alert[] = [];
  if (critical.length > 0) alerts.push(complaintAlert('CRITICAL_COMPLAINT', 'CRITICAL', critical));
  if (minor.length > 0) alerts.push(complaintAlert('MINOR_COMPLAINT', 'WARN', minor));
  return resultOf('complaints', alerts, { critical: critical.length, minor: minor.length, complaints });
}

// ——— 6. Matching ———

export type MatchingStats = Readonly<{ total: number; success: number; ttmP50: number | null; ttmP95: number | null }>;

function timeToMatchAlerts(treatment: MatchingStats, baseline: MatchingStats): Alert[] {
  const alerts: Alert[] = [];
  for (const key of ['ttmP50', 'ttmP95'] as const) {
    const value = treatment[key];
    const base = baseline[key];
    if (value === null || base === null || !(base > 0)) continue;
    const limit = base * TIME_TO_MATCH_FACTOR;
    if (value > limit) {
      const label = key === 'ttmP50' ? 'p50' : 'p95';
      const message = `time-to-match ${label} ${value} ms is above baseline ${base} ms + 20 % (${limit} ms)`;
      alerts.push(alertOf('TIME_TO_MATCH', 'WARN', message, { [key]: value }, { [key]: base, maxMs: limit }));
    }
  }
  return alerts;
}

function matchingDropAlert(treatment: MatchingStats, baselineRate: number, pValue: number): Alert | null {
  const successRate = rateOf(treatment.success, treatment.total);
  if (!(successRate < baselineRate)) return null;
  const significant = pValue < SIGNIFICANCE_ALPHA;
  const criticalBelow = baselineRate * MATCHING_CRITICAL_FACTOR;
  const observed = { successRate, success: treatment.success, total: treatment.total, pValue };
  const expected = { baselineRate, criticalBelow, alpha: SIGNIFICANCE_ALPHA };
  const what = `matching success rate ${formatPercent(successRate)} (${treatment.success} of ${treatment.total})`;
  const below = `${what} is below baseline ${formatPercent(baselineRate)}`;
  const p = `p = ${pValue.toPrecision(2)}`;
  if (successRate < criticalBelow && significant) {
    return alertOf(
      'MATCHING_SUCCESS_DROP',
      'CRITICAL',
      `${below} − 10 %, a significant drop (${p})`,
      observed,
      expected,
    );
  }
  const why =
    successRate < criticalBelow
      ? `below baseline − 10 % but not significant (${p}): too few outcomes to tell`
      : significant
        ? `significant (${p}) but within baseline − 10 %`
        : `not significant (${p})`;
  return alertOf('MATCHING_SUCCESS_DROP', 'WARN', `${below}: ${why}`, observed, expected);
}

/**
 * Check 6. Success rate below baseline × 0.9 and significantly below it (exact one-sided
 * binomial test, p < SIGNIFICANCE_ALPHA against the smoothed baseline success rate) →
 * MATCHING_SUCCESS_DROP CRITICAL; any other success rate below the baseline's → WARN, saying
 * why it is not CRITICAL. Time-to-match p50 or p95 above baseline × 1.2 → TIME_TO_MATCH WARN.
 * No matching outcomes, or no baseline to compare with → INSUFFICIENT_DATA.
 */
export function checkMatching(
  input: Readonly<{ treatment: MatchingStats; baseline: MatchingStats | null }>,
): CheckResult {
  const { treatment, baseline } = input;
  const successRate = rateOf(treatment.success, treatment.total);
  const baselineRate = baseline === null || baseline.total === 0 ? null : rateOf(baseline.success, baseline.total);
  const evidence = {
    treatment: { ...treatment, successRate },
    baseline: baseline === null ? null : { ...baseline, successRate: baselineRate },
  };
  if (treatment.total === 0 || baseline === null || baselineRate === null) {
    const message =
      treatment.total === 0 ? 'no matching outcomes in the window' : 'no matching baseline to compare with';
    return { name: 'matching', outcome: 'INSUFFICIENT_DATA', alerts: [], evidence: { ...evidence, message } };
  }
  const testSuccessRate = smoothedRate(baseline.success, baseline.total);
  const pValue = binomialLowerTail(treatment.success, treatment.total, testSuccessRate);
  const alerts = [matchingDropAlert(treatment, baselineRate, pValue), ...timeToMatchAlerts(treatment, baseline)].filter(
    (alert): alert is Alert => alert !== null,
  );
  return resultOf('matching', alerts, {
    ...evidence,
    baseline: { ...evidence.baseline, testSuccessRate },
    pValue,
    alpha: SIGNIFICANCE_ALPHA,
    criticalBelow: baselineRate * MATCHING_CRITICAL_FACTOR,
  });
}

// ——— Verdict ———

/**
 * The checkpoint's status from its alerts: any CRITICAL → FAIL/RED; else a check that could
 * not run → ERROR/RED (never counted as a pass); else any WARN → WARN/YELLOW; else
 * PASS/GREEN. INSUFFICIENT_DATA is not an alert and changes nothing here.
 */
export function verdict(results: readonly CheckResult[]): Verdict {
  const alerts = results.flatMap((result) => result.alerts);
  if (alerts.some((alert) => alert.severity === 'CRITICAL')) return { status: 'FAIL', health: 'RED' };
  if (results.some((result) => result.outcome === 'ERROR')) return { status: 'ERROR', health: 'RED' };
  if (alerts.some((alert) => alert.severity === 'WARN')) return { status: 'WARN', health: 'YELLOW' };
  return { status: 'PASS', health: 'GREEN' };
}
