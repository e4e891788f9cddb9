import { createHmac } from 'node:crypto';
import type { CheckpointResponseDto } from 'src/beta-monitor/beta-monitor.dto';
import { CheckpointHealth, CheckpointStatus, P0_5XX_RATE } from 'src/beta-monitor/checks';

/**
 * Alerts out (docs/beta-monitor-checks.md), the pure part: when a checkpoint alerts, how severe it is (runbook §6,
 * P0/P1/P2), the Slack-compatible payload, and its HMAC-SHA256 signature. Delivery lives in
 * `alert-outbox.service.ts`; docs/alerts.md is the operator's view of the same rules.
 */

export type AlertSeverityLevel = 'P0' | 'P1' | 'P2';
export type AlertReason = 'FAIL' | 'ERROR' | 'STATUS_CHANGE';

/** What of a checkpoint the alert needs. */
export type AlertingCheckpoint = Readonly<
  Pick<
    CheckpointResponseDto,
    'id' | 'featureKey' | 'phase' | 'label' | 'status' | 'health' | 'trigger' | 'alerts' | 'error' | 'createdAt'
  >
>;

export type AlertPayload = {
  /** The line for people (Slack renders it). */
  text: string;
  /** The checkpoint's id. */
  id: string;
  label: string;
  featureKey: string;
  phase: string | null;
  status: CheckpointStatus;
  health: CheckpointHealth;
  previousStatus: CheckpointStatus | null;
  reason: AlertReason;
  severity: AlertSeverityLevel;
  /** The checkpoint's alert codes, each once, in the checkpoint's order. */
  alerts: string[];
  /** The checkpoint's CRITICAL alert codes, each once. */
  criticalAlerts: string[];
  error: string | null;
  trigger: string;
  createdAt: string;
  /** Path of the checkpoint in flagdog's admin API (prefix it with the service's base URL). */
  checkpointUrl: string;
};

/** Codes that mean users are affected right now (runbook §6 P0 "service degradation affecting users"). */
const USER_IMPACT_CODES = new Set(['CRITICAL_COMPLAINT', 'ROLLBACK_EXECUTED']);

/**
 * Why a checkpoint alerts, or null when it does not: every FAIL, every ERROR, and every change of
 * status from the flag's previous checkpoint. A flag's first checkpoint compares with PASS ("no
 * news is good news"): a first PASS is silent, a first WARN alerts.
 */
export function alertReason(status: CheckpointStatus, previousStatus: CheckpointStatus | null): AlertReason | null {
  if (status === 'FAIL') return 'FAIL';
  if (status === 'ERROR') return 'ERROR';
  if (status !== (previousStatus ?? 'PASS')) return 'STATUS_CHANGE';
  return null;
}

/**
 * Runbook §6 escalation levels:
 * - P0 (immediate): a FAIL with a 5xx rate above 10 %, user impact (a critical complaint, an
 *   executed rollback), or two or more distinct CRITICAL codes at once;
 * - P1 (< 1 h): any other FAIL (config drift, determinism, latency spike, …) and ERROR (the
 *   monitor could not measure: nobody is watching the rollout);
 * - P2 (< 4 h): WARN, and changes back to PASS (recoveries).
 */
export function alertSeverity(checkpoint: Pick<AlertingCheckpoint, 'status' | 'alerts'>): AlertSeverityLevel {
  if (checkpoint.status === 'ERROR') return 'P1';
  if (checkpoint.status !== 'FAIL') return 'P2';
  const critical = checkpoint.alerts.filter((alert) => alert.severity === 'CRITICAL');
  const fiveXxOver10 = critical.some(
    (alert) => alert.code === 'ERROR_RATE_5XX' && rate5xx(alert.observed) > P0_5XX_RATE,
  );
  const userImpact = critical.some((alert) => USER_IMPACT_CODES.has(alert.code));
  const several = new Set(critical.map((alert) => alert.code)).size >= 2;
  return fiveXxOver10 || userImpact || several ? 'P0' : 'P1';
}

function rate5xx(observed: unknown): number {
  const rate = (observed as { rate5xx?: unknown } | null)?.rate5xx;
  // An ERROR_RATE_5XX CRITICAL without a readable rate is treated as the worst case.
  return typeof rate === 'number' && Number.isFinite(rate) ? rate : Number.POSITIVE_INFINITY;
}

const ICONS: Record<AlertSeverityLevel, string> = {
  P0: ':red_circle:',
  P1: ':large_orange_circle:',
  P2: ':large_yellow_circle:',
};

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** The webhook body for one alerting checkpoint. */
export function buildAlertPayload(
  checkpoint: AlertingCheckpoint,
  previousStatus: CheckpointStatus | null,
  reason: AlertReason,
): AlertPayload {
  const severity = alertSeverity(checkpoint);
  const codes = unique(checkpoint.alerts.map((alert) => alert.code));
  const recovered = checkpoint.status === 'PASS';
  const icon = recovered ? ':large_green_circle:' : ICONS[severity];
  const change = previousStatus !== null && previousStatus !== checkpoint.status ? ` (was ${previousStatus})` : '';
  const detail =
    codes.length > 0
      ? codes.join(', ')
      : checkpoint.status === 'ERROR'
        ? `could not measure: ${checkpoint.error ?? 'unknown error'}`
        : recovered
          ? 'recovered'
          : 'no alerts';
  const text =
    `${icon} ${severity} ${checkpoint.featureKey} ${checkpoint.phase ?? '-'} ${checkpoint.status}${change} — ${detail} ` +
    `(checkpoint ${checkpoint.label})`;
  return {
    text,
    id: checkpoint.id,
    label: checkpoint.label,
    featureKey: checkpoint.featureKey,
    phase: checkpoint.phase,
    status: checkpoint.status,
    health: checkpoint.health,
    previousStatus,
    reason,
    severity,
    alerts: codes,
    criticalAlerts: unique(
      checkpoint.alerts.filter((alert) => alert.severity === 'CRITICAL').map((alert) => alert.code),
    ),
    error: checkpoint.error,
    trigger: checkpoint.trigger,
    createdAt: checkpoint.createdAt,
    checkpointUrl: `/api/admin/beta-monitor/${encodeURIComponent(checkpoint.featureKey)}/checkpoints/${checkpoint.id}`,
  };
}

/** HMAC-SHA256 of the raw body, hex: the value of `X-Flagdog-Signature`. */
export function signBody(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Retry delay after the given number of failed attempts: 1 s, 2 s, 4 s, … capped at 5 minutes. */
export function retryDelayMs(attempts: number): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 30));
  return Math.min(1000 * 2 ** exponent, 5 * 60_000);
}
