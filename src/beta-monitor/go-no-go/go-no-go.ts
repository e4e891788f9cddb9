import { Alert, ConfigSnapshot, ExpectedConfig, ROLLBACK_TRIGGER_CODES, checkConfig } from 'src/beta-monitor/checks';
import { PHASE_5XX_CHECK } from 'src/beta-monitor/phase-checks';
import { slotOfLabel } from 'src/beta-monitor/scheduled-label';
import type { RecordedAlert } from 'src/beta-monitor/signal-actions';

/*
 * The go/no-go of a rollout phase (docs/beta-monitor.md, runbook §5): plain inputs in, criteria and a
 * decision out; no Nest, no database, no clock (`now` is a parameter).
 */

export type CriterionStatus = 'PASS' | 'WARN' | 'FAIL' | 'INSUFFICIENT_DATA';
export type SignedStatus = 'PASS' | 'WARN' | 'FAIL';
export type Decision = 'GO' | 'NO_GO' | 'EXTEND' | 'PENDING';

export const AUTOMATED_CRITERIA = [
  'ERROR_5XX_NO_INCREASE',
  'CONFIG_STABLE',
  'NO_ROLLBACK_TRIGGERS',
  'CHECKPOINT_COVERAGE',
] as const;
export type AutomatedCode = (typeof AUTOMATED_CRITERIA)[number];

export const CHECKLIST_ITEMS = [
  'MATCHING_SUCCESS_RATE',
  'TIME_TO_MATCH',
  'API_LATENCY_P95',
  'ZERO_CRITICAL_COMPLAINTS',
  'RESOLVER_DETERMINISM',
] as const;
export type ChecklistItem = (typeof CHECKLIST_ITEMS)[number];

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;
/** Runbook §5 EXTEND: "Continue Phase 1 for 24h". */
export const EXTENSION_MS = 24 * HOUR_MS;

/** How long an EXTEND continues the phase: 24 h, or the phase's own length when it is shorter (a demo's minutes). */
export function extensionMsOf(phase: Readonly<{ minDurationMinutes: number }>): number {
  return Math.min(EXTENSION_MS, Math.max(1, phase.minDurationMinutes) * MINUTE_MS);
}
/** Scheduled checkpoints for at least 90 % of the phase's slots (docs/beta-monitor.md). */
export const MIN_COVERAGE = 0.9;
/**
 * The current slot's scheduled run may still be under way: a slot is expected from 5 minutes
 * after it (half the cadence when the schedule is faster than every 10 minutes).
 */
export const SLOT_GRACE_MS = 5 * 60_000;

/** One checkpoint of the phase, as stored in `beta_monitor_checkpoints`. */
export type PhaseCheckpoint = Readonly<{
  id: string;
  label: string;
  trigger: string;
  status: string;
  createdAt: string;
  /** A dismissed alert (`dismissed` set) no longer counts against the phase; criteria list it as dismissed. */
  alerts: readonly RecordedAlert[];
  evidence: Readonly<Record<string, unknown>> | null;
}>;

export type Criterion<C extends string> = Readonly<{
  code: C;
  status: CriterionStatus;
  message: string;
  evidence: Record<string, unknown>;
}>;
export type AutomatedCriterion = Criterion<AutomatedCode>;
export type Suggestion = Criterion<ChecklistItem>;

export type AutomatedInput = Readonly<{
  checkpoints: readonly PhaseCheckpoint[];
  startedAt: Date;
  minDurationMinutes: number;
  /** How often the schedule runs, as coverage counts it (`coverageCadenceMs`); an hour by default. */
  cadenceMs?: number;
  now: Date;
  current: ConfigSnapshot;
  expected: ExpectedConfig;
  allowlistTolerance: number;
}>;

type Found = Readonly<{ checkpoint: string; label: string; createdAt: string; alert: RecordedAlert }>;

/** The phase's alerts that match and are not dismissed. */
function alertsOf(checkpoints: readonly PhaseCheckpoint[], match: (alert: Alert) => boolean): Found[] {
  return checkpoints.flatMap((checkpoint) =>
    checkpoint.alerts
      .filter((alert) => match(alert) && !alert.dismissed)
      .map((alert) => ({ checkpoint: checkpoint.id, label: checkpoint.label, createdAt: checkpoint.createdAt, alert })),
  );
}

/** The phase's alerts that match and were dismissed (shown as evidence, never counted). */
function dismissedOf(checkpoints: readonly PhaseCheckpoint[], match: (alert: Alert) => boolean): Found[] {
  return checkpoints.flatMap((checkpoint) =>
    checkpoint.alerts
      .filter((alert) => match(alert) && Boolean(alert.dismissed))
      .map((alert) => ({ checkpoint: checkpoint.id, label: checkpoint.label, createdAt: checkpoint.createdAt, alert })),
  );
}

const hasCode = (code: string, severity?: Alert['severity']) => (alert: Alert) =>
  alert.code === code && (severity === undefined || alert.severity === severity);

/** The outcomes a named check reported in the phase's checkpoints (`evidence_json.<check>.outcome`). */
function outcomesOf(checkpoints: readonly PhaseCheckpoint[], check: string): string[] {
  return checkpoints.map((checkpoint) => {
    const entry = checkpoint.evidence?.[check];
    const outcome =
      typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).outcome : undefined;
    return typeof outcome === 'string' ? outcome : 'MISSING';
  });
}

const measured = (outcomes: readonly string[]): number =>
  outcomes.filter((outcome) => outcome === 'PASS' || outcome === 'WARN' || outcome === 'FAIL').length;

const describe = (found: readonly Found[]): string =>
  found
    .map(({ label, alert }) => `${label}: ${alert.message}`)
    .slice(0, 3)
    .join('; ');

/**
 * From the alerts the phase's checkpoints raised: a CRITICAL one → FAIL, a WARN one → WARN;
 * otherwise PASS when at least one checkpoint measured the check, else INSUFFICIENT_DATA.
 */
function fromAlerts<C extends string>(
  code: C,
  checkpoints: readonly PhaseCheckpoint[],
  alertCodes: readonly string[],
  check: string,
  what: string,
): Criterion<C> {
  const critical = alertsOf(checkpoints, (alert) => alertCodes.includes(alert.code) && alert.severity === 'CRITICAL');
  const warnings = alertsOf(checkpoints, (alert) => alertCodes.includes(alert.code) && alert.severity === 'WARN');
  const outcomes = outcomesOf(checkpoints, check);
  const dismissed = dismissedOf(checkpoints, (alert) => alertCodes.includes(alert.code));
  const evidence = { checkpoints: checkpoints.length, measured: measured(outcomes), critical, warnings, dismissed };
  if (critical.length > 0)
    return {
      code,
      status: 'FAIL',
      message: `${critical.length} critical ${what} alert(s): ${describe(critical)}`,
      evidence,
    };
  if (warnings.length > 0)
    return { code, status: 'WARN', message: `${warnings.length} ${what} warning(s): ${describe(warnings)}`, evidence };
  if (evidence.measured === 0) {
    return {
      code,
      status: 'INSUFFICIENT_DATA',
      message: `none of the phase's ${checkpoints.length} checkpoint(s) had enough data for ${what}`,
      evidence,
    };
  }
  return {
    code,
    status: 'PASS',
    message: `no ${what} alert in ${checkpoints.length} checkpoint(s), ${evidence.measured} with enough data`,
    evidence,
  };
}

/** `scheduled-2026-02-01T06:00Z` → its slot; other labels → the creation time. */
export function slotOf(checkpoint: PhaseCheckpoint): Date {
  return slotOfLabel(checkpoint.label) ?? new Date(checkpoint.createdAt);
}

/** When a started phase's go/no-go is due: `minDurationMinutes` after its start. */
export function goNoGoDueAt(phase: Readonly<{ startedAt: string; minDurationMinutes: number }>): Date {
  return new Date(Date.parse(phase.startedAt) + phase.minDurationMinutes * MINUTE_MS);
}

/** Missed slots listed in the evidence; beyond that only counted. */
const LISTED_MISSES = 100;

/** "hour(s)" for the runbook's hourly schedule, else the cadence, e.g. "30-second slot(s)". */
function slotWord(cadenceMs: number): string {
  if (cadenceMs === HOUR_MS) return 'hour(s)';
  return cadenceMs % MINUTE_MS === 0 ? `${cadenceMs / MINUTE_MS}-minute slot(s)` : `${cadenceMs / 1000}-second slot(s)`;
}

/** Whether the checkpoint saw evaluations or telemetry: false only when its coverage says "no traffic". */
export function sawTraffic(checkpoint: PhaseCheckpoint): boolean {
  const coverage = checkpoint.evidence?.coverage as { noTraffic?: unknown } | undefined;
  return coverage?.noTraffic !== true;
}

/**
 * CHECKPOINT_COVERAGE: the schedule's slots (every `cadenceMs`, aligned on the clock: the top of
 * the hour for the runbook's hourly schedule) that lie after the start and at least the grace
 * before `now` are expected; a slot counts when a scheduled checkpoint that measured (not ERROR)
 * ran for it and saw data (not "no traffic": a slot with nothing to look at proves nothing).
 * FAIL as soon as the slots without a measuring checkpoint exceed 10 % of the phase's length in
 * slots (at least `minDurationMinutes`' worth): the watchdog was not running, and those slots
 * never come back. Quiet slots (a checkpoint ran and saw no traffic) are not a failure of
 * anything: when they take coverage below 90 %, the criterion is INSUFFICIENT_DATA (the
 * decision is EXTEND, not NO_GO) until enough slots with data have passed.
 */
export function checkCoverage(
  checkpoints: readonly PhaseCheckpoint[],
  startedAt: Date,
  minDurationMinutes: number,
  now: Date,
  cadenceMs = HOUR_MS,
): AutomatedCriterion {
  const slotOfTime = (time: number): number => Math.floor(time / cadenceMs) * cadenceMs;
  const grace = Math.min(SLOT_GRACE_MS, cadenceMs / 2);
  const expected: number[] = [];
  for (let slot = slotOfTime(startedAt.getTime()) + cadenceMs; slot <= now.getTime() - grace; slot += cadenceMs)
    expected.push(slot);
  const measured = checkpoints.filter(
    (checkpoint) => checkpoint.trigger === 'scheduled' && checkpoint.status !== 'ERROR',
  );
  const covered = new Set(measured.filter(sawTraffic).map((checkpoint) => slotOfTime(slotOf(checkpoint).getTime())));
  const quiet = new Set(measured.map((checkpoint) => slotOfTime(slotOf(checkpoint).getTime())));
  const missed = expected.filter((slot) => !covered.has(slot));
  const unwatched = missed.filter((slot) => !quiet.has(slot));
  const slots = Math.max(expected.length, (minDurationMinutes * MINUTE_MS) / cadenceMs);
  const ratio = expected.length === 0 ? null : (expected.length - missed.length) / expected.length;
  const evidence = {
    cadenceSeconds: cadenceMs / 1000,
    expectedSlots: expected.length,
    coveredSlots: expected.length - missed.length,
    missedSlots: missed.length,
    unwatchedSlots: unwatched.length,
    missed: missed.slice(0, LISTED_MISSES).map((slot) => new Date(slot).toISOString()),
    noTrafficSlots: missed
      .filter((slot) => quiet.has(slot))
      .slice(0, LISTED_MISSES)
      .map((slot) => new Date(slot).toISOString()),
    ratio,
    minCoverage: MIN_COVERAGE,
    phaseSlots: slots,
  };
  const code = 'CHECKPOINT_COVERAGE';
  const unit = slotWord(cadenceMs);
  const allowed = slots * (1 - MIN_COVERAGE) + 1e-9;
  if (unwatched.length > allowed) {
    return {
      code,
      status: 'FAIL',
      message: `${unwatched.length} of ${Math.ceil(slots)} ${unit} without a scheduled checkpoint: coverage below 90 %`,
      evidence,
    };
  }
  if (missed.length > allowed) {
    return {
      code,
      status: 'INSUFFICIENT_DATA',
      message:
        `${missed.length} of ${Math.ceil(slots)} ${unit} without a scheduled checkpoint that saw data ` +
        `(${missed.length - unwatched.length} with no traffic): too little data for 90 % coverage`,
      evidence,
    };
  }
  if (ratio === null)
    return {
      code,
      status: 'INSUFFICIENT_DATA',
      message: `no scheduled slot has passed since the phase started (one every ${cadenceMs / 1000} s)`,
      evidence,
    };
  const percent = Math.round(ratio * 1000) / 10;
  return {
    code,
    status: 'PASS',
    message: `scheduled checkpoints ran for ${evidence.coveredSlots} of ${expected.length} ${unit} (${percent} %)`,
    evidence,
  };
}

/** CONFIG_STABLE: no critical CONFIG_DRIFT in any checkpoint of the phase, and the config as expected now. */
export function checkConfigStable(
  input: Pick<AutomatedInput, 'checkpoints' | 'current' | 'expected' | 'allowlistTolerance'>,
): AutomatedCriterion {
  const critical = alertsOf(input.checkpoints, hasCode('CONFIG_DRIFT', 'CRITICAL'));
  const now = checkConfig({
    actual: input.current,
    expected: input.expected,
    allowlistTolerance: input.allowlistTolerance,
    changes: [],
  });
  const dismissed = dismissedOf(input.checkpoints, hasCode('CONFIG_DRIFT', 'CRITICAL'));
  const evidence = { critical, dismissed, current: input.current, expected: input.expected, currentAlerts: now.alerts };
  const code = 'CONFIG_STABLE';
  if (critical.length > 0)
    return { code, status: 'FAIL', message: `critical config drift during the phase: ${describe(critical)}`, evidence };
  if (now.outcome === 'FAIL')
    return {
      code,
      status: 'FAIL',
      message: `config not as expected now: ${now.alerts.map((alert) => alert.message).join('; ')}`,
      evidence,
    };
  if (now.outcome === 'WARN')
    return {
      code,
      status: 'WARN',
      message: `config drifts within tolerance now: ${now.alerts.map((alert) => alert.message).join('; ')}`,
      evidence,
    };
  return { code, status: 'PASS', message: 'no critical drift in the phase; config as expected now', evidence };
}

const isRollbackTrigger = (alert: Alert): boolean =>
  alert.code === 'ROLLBACK_EXECUTED' || (alert.severity === 'CRITICAL' && ROLLBACK_TRIGGER_CODES.has(alert.code));

/** How the evidence names a dismissed alert: which, by whom, why. */
const dismissedView = (found: readonly Found[]) =>
  found.map(({ label, alert, ...rest }) => ({
    ...rest,
    label,
    code: alert.code,
    message: alert.message,
    dismissed: alert.dismissed,
  }));

/**
 * NO_ROLLBACK_TRIGGERS: no ROLLBACK_EXECUTED and no rollback-worthy CRITICAL alert in the phase;
 * dismissed ones do not count and are listed under `dismissed` (by whom, why).
 */
export function checkRollbackTriggers(checkpoints: readonly PhaseCheckpoint[]): AutomatedCriterion {
  const triggers = alertsOf(checkpoints, isRollbackTrigger);
  const dismissed = dismissedView(dismissedOf(checkpoints, isRollbackTrigger));
  const code = 'NO_ROLLBACK_TRIGGERS';
  const note = dismissed.length > 0 ? ` (${dismissed.length} dismissed)` : '';
  if (triggers.length > 0)
    return {
      code,
      status: 'FAIL',
      message: `${triggers.length} rollback trigger(s): ${describe(triggers)}${note}`,
      evidence: { triggers, dismissed },
    };
  return {
    code,
    status: 'PASS',
    message: `no rollback trigger in ${checkpoints.length} checkpoint(s)${note}`,
    evidence: { triggers, dismissed },
  };
}

/**
 * ERROR_5XX_NO_INCREASE from the test over the whole phase (docs/beta-monitor-checks.md §8): any
 * CRITICAL ERROR_RATE_5XX of the phase (hourly P0 or cumulative) → FAIL; otherwise the outcome of
 * the cumulative check in the newest checkpoint that ran it (its data cover the phase so far).
 * Hourly WARNs are counted but do not decide: 24 hourly looks would warn on noise. Dismissed
 * alerts do not count and are listed. When the newest cumulative check could not measure (no
 * control traffic), or no checkpoint ran it, the hourly rule decides as before.
 */
export function checkErrors5xx(checkpoints: readonly PhaseCheckpoint[]): AutomatedCriterion {
  const code = 'ERROR_5XX_NO_INCREASE';
  const withPhase = checkpoints
    .filter((checkpoint) => outcomesOf([checkpoint], PHASE_5XX_CHECK)[0] !== 'MISSING')
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  if (withPhase.length === 0) return fromAlerts(code, checkpoints, ['ERROR_RATE_5XX'], 'http_errors', '5xx');
  const latest = withPhase[0];
  const critical = alertsOf(checkpoints, hasCode('ERROR_RATE_5XX', 'CRITICAL'));
  const hourlyWarnings = alertsOf(checkpoints, hasCode('ERROR_RATE_5XX', 'WARN')).length;
  const dismissed = dismissedView(dismissedOf(checkpoints, hasCode('ERROR_RATE_5XX')));
  const note = dismissed.length > 0 ? ` (${dismissed.length} dismissed)` : '';
  const cumulative = latest.evidence?.[PHASE_5XX_CHECK] as Record<string, unknown>;
  const evidence = { checkpoint: latest.label, cumulative, critical, hourlyWarnings, dismissed };
  if (critical.length > 0)
    return {
      code,
      status: 'FAIL',
      message: `${critical.length} critical 5xx alert(s): ${describe(critical)}${note}`,
      evidence,
    };
  const outcome = String(cumulative.outcome);
  const p = typeof cumulative.pValue === 'number' ? cumulative.pValue.toPrecision(2) : 'n/a';
  const warned = outcome === 'WARN' && alertsOf([latest], hasCode('ERROR_RATE_5XX', 'WARN')).length > 0;
  if (warned)
    return {
      code,
      status: 'WARN',
      message: `5xx significantly up over the phase but within control + 10 % (${latest.label})${note}`,
      evidence,
    };
  // PASS, or a FAIL / WARN whose alerts were all dismissed.
  if (outcome === 'PASS' || outcome === 'FAIL' || outcome === 'WARN')
    return {
      code,
      status: 'PASS',
      message: `no 5xx increase over the phase (${latest.label}: always-valid p = ${p})${note}`,
      evidence,
    };
  // Not measurable over the phase (no control traffic to compare with): the hourly checks decide, as before.
  const hourly = fromAlerts(code, checkpoints, ['ERROR_RATE_5XX'], 'http_errors', '5xx');
  const why = typeof cumulative.message === 'string' ? cumulative.message : `its outcome is ${outcome}`;
  return {
    ...hourly,
    message: `${hourly.message} (over the phase not measurable: ${why})`,
    evidence: { ...hourly.evidence, cumulative },
  };
}

export function automatedCriteria(input: AutomatedInput): AutomatedCriterion[] {
  return [
    checkErrors5xx(input.checkpoints),
    checkConfigStable(input),
    checkRollbackTriggers(input.checkpoints),
    checkCoverage(input.checkpoints, input.startedAt, input.minDurationMinutes, input.now, input.cadenceMs),
  ];
}

export type ComplaintCounts = Readonly<{ critical: number; minor: number }>;

/** What the data suggests for each manual item; a person signs the actual status. */
export function suggestChecklist(checkpoints: readonly PhaseCheckpoint[], complaints: ComplaintCounts): Suggestion[] {
  const critical = alertsOf(checkpoints, hasCode('CRITICAL_COMPLAINT', 'CRITICAL'));
  const complaintsEvidence = { ...complaints, criticalAlerts: critical };
  const zeroComplaints: Suggestion =
    complaints.critical > 0 || critical.length > 0
      ? {
          code: 'ZERO_CRITICAL_COMPLAINTS',
          status: 'FAIL',
          message: `${Math.max(complaints.critical, critical.length)} critical complaint(s) during the phase`,
          evidence: complaintsEvidence,
        }
      : {
          code: 'ZERO_CRITICAL_COMPLAINTS',
          status: 'PASS',
          message: `no critical complaint during the phase (${complaints.minor} minor)`,
          evidence: complaintsEvidence,
        };
  return [
    fromAlerts('MATCHING_SUCCESS_RATE', checkpoints, ['MATCHING_SUCCESS_DROP'], 'matching', 'matching success'),
    fromAlerts('TIME_TO_MATCH', checkpoints, ['TIME_TO_MATCH'], 'matching', 'time-to-match'),
    fromAlerts('API_LATENCY_P95', checkpoints, ['LATENCY_P95'], 'latency', 'latency p95'),
    zeroComplaints,
    fromAlerts('RESOLVER_DETERMINISM', checkpoints, ['DETERMINISM_FAIL'], 'determinism', 'determinism'),
  ];
}

export type DecisionInput = Readonly<{
  automated: readonly Readonly<{ code: string; status: CriterionStatus }>[];
  /** Every checklist item, with its signed status or null while unsigned. */
  manual: readonly Readonly<{ item: string; signed: SignedStatus | null }>[];
  dueAt: Date;
  now: Date;
  /** How long an EXTEND continues the phase (`extensionMsOf`); 24 h when left out. */
  extensionMs?: number;
}>;

export type DecisionResult = Readonly<{ decision: Decision; reasons: string[]; nextReviewAt: Date | null }>;

/**
 * Runbook §5's matrix. Any FAIL (automated, or signed manual) → NO_GO at once, even before the
 * due time; otherwise before the due time or with an unsigned item → PENDING; everything PASS →
 * GO; otherwise (a signed WARN, or an automated WARN / INSUFFICIENT_DATA, which the matrix does
 * not name and which can never be a GO) → EXTEND until the next 24 h after the due time (the
 * phase's own length when it is shorter).
 */
export function decide(input: DecisionInput): DecisionResult {
  const failed = [
    ...input.automated.filter((c) => c.status === 'FAIL').map((c) => c.code),
    ...input.manual.filter((m) => m.signed === 'FAIL').map((m) => m.item),
  ];
  if (failed.length > 0)
    return { decision: 'NO_GO', reasons: failed.map((code) => `${code} FAIL`), nextReviewAt: null };
  const due = input.dueAt.getTime();
  const now = input.now.getTime();
  const unsigned = input.manual.filter((m) => m.signed === null).map((m) => m.item);
  if (now < due || unsigned.length > 0) {
    const reasons = [
      ...(now < due ? [`due at ${input.dueAt.toISOString()}`] : []),
      ...unsigned.map((item) => `${item} not signed`),
    ];
    return { decision: 'PENDING', reasons, nextReviewAt: input.dueAt };
  }
  const notPass = [
    ...input.automated.filter((c) => c.status !== 'PASS').map((c) => `${c.code} ${c.status}`),
    ...input.manual.filter((m) => m.signed !== 'PASS').map((m) => `${m.item} ${m.signed}`),
  ];
  if (notPass.length === 0) return { decision: 'GO', reasons: ['every criterion PASS'], nextReviewAt: null };
  const extensionMs = input.extensionMs ?? EXTENSION_MS;
  const extensions = Math.floor((now - due) / extensionMs) + 1;
  return { decision: 'EXTEND', reasons: notPass, nextReviewAt: new Date(due + extensions * extensionMs) };
}
