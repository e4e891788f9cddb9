import { Alert, AlertCode, ROLLBACK_TRIGGER_CODES } from 'src/beta-monitor/checks';

/*
 * What a phase does about each alert code (docs/beta-monitor.md, ADR 0017): the one list of
 * codes a phase may name, their default actions, and the holds a checkpoint leaves behind.
 * Plain inputs in, plain answers out; no Nest, no database, no clock.
 */

/**
 * `rollback`: the checkpoint rolls the phase back (Level 1) on a CRITICAL alert of the code;
 * `hold`: a CRITICAL alert of the code holds the phase (no advance) until a later checkpoint is
 * without it or it is dismissed; `notify`: the alert is only recorded and sent.
 */
export const SIGNAL_ACTIONS = ['rollback', 'hold', 'notify'] as const;
export type SignalAction = (typeof SIGNAL_ACTIONS)[number];
export type SignalActions = Record<string, SignalAction>;

/**
 * Every code a check raises, with the action it takes when the phase names none. A
 * `Record<AlertCode, …>` so that a code added to `AlertCode` does not compile until it is listed
 * here (a new code should default to `notify`). With `autoRollback`, the rollback triggers
 * (`ROLLBACK_TRIGGER_CODES`) default to `rollback` instead.
 */
const DEFAULTS: Readonly<Record<AlertCode, 'hold' | 'notify'>> = {
  ERROR_RATE_5XX: 'hold',
  DETERMINISM_FAIL: 'hold',
  CRITICAL_COMPLAINT: 'hold',
  CONFIG_DRIFT: 'hold',
  ERROR_RATE_4XX: 'notify',
  LATENCY_P95: 'notify',
  MINOR_COMPLAINT: 'notify',
  MATCHING_SUCCESS_DROP: 'notify',
  TIME_TO_MATCH: 'notify',
};

/** The codes a phase's `signalActions` may name, in a stable order. */
export const SIGNAL_CODES: readonly string[] = Object.keys(DEFAULTS).sort();

function defaultAction(code: string, autoRollback: boolean): SignalAction {
  if (autoRollback && ROLLBACK_TRIGGER_CODES.has(code)) return 'rollback';
  return (DEFAULTS as Record<string, SignalAction | undefined>)[code] ?? 'notify';
}

/** The phase's action for every known code: its own choices over the defaults `autoRollback` selects. */
export function signalActionsOf(
  phase: Readonly<{ autoRollback?: boolean; signalActions?: Readonly<Record<string, string>> }>,
): SignalActions {
  const given = phase.signalActions ?? {};
  return Object.fromEntries(
    SIGNAL_CODES.map((code) => {
      const chosen = given[code];
      const action = (SIGNAL_ACTIONS as readonly string[]).includes(chosen)
        ? (chosen as SignalAction)
        : defaultAction(code, phase.autoRollback ?? false);
      return [code, action];
    }),
  );
}

/** What is wrong with a phase's `signalActions`, one message per bad entry (empty when valid). */
export function signalActionErrors(signalActions: unknown): { code: string; message: string }[] {
  if (typeof signalActions !== 'object' || signalActions === null || Array.isArray(signalActions))
    return [{ code: '', message: 'signalActions must be an object of alert code → rollback, hold or notify' }];
  return Object.entries(signalActions).flatMap(([code, action]) => {
    if (!SIGNAL_CODES.includes(code))
      return [{ code, message: `unknown alert code ${code}; known codes: ${SIGNAL_CODES.join(', ')}` }];
    if (!(SIGNAL_ACTIONS as readonly unknown[]).includes(action))
      return [{ code, message: `the action for ${code} must be one of ${SIGNAL_ACTIONS.join(', ')}` }];
    return [];
  });
}

/** An alert as a stored checkpoint carries it: maybe dismissed. */
export type RecordedAlert = Alert & { dismissed?: unknown };

/** The codes whose CRITICAL alerts this measurement acts on with `action`, each once, in order. */
export function codesActedOn(
  actions: Readonly<Record<string, SignalAction>>,
  alerts: readonly RecordedAlert[],
  action: SignalAction,
): string[] {
  const codes = alerts
    .filter((alert) => alert.severity === 'CRITICAL' && !alert.dismissed && actions[alert.code] === action)
    .map((alert) => alert.code);
  return [...new Set(codes)];
}

export type HoldCheckpoint = Readonly<{
  id: string;
  label: string;
  status: string;
  createdAt: string;
  alerts: readonly RecordedAlert[];
}>;

export type Hold = {
  code: string;
  checkpointId: string;
  checkpointLabel: string;
  checkpointCreatedAt: string;
  message: string;
};

/**
 * The phase's active holds: the CRITICAL, not dismissed alerts with action `hold` of its latest
 * checkpoint that measured (an ERROR checkpoint proves nothing resolved). A later checkpoint
 * without the alert, or its dismissal, releases the hold. `checkpoints` oldest first.
 */
export function activeHolds(
  actions: Readonly<Record<string, SignalAction>>,
  checkpoints: readonly HoldCheckpoint[],
): Hold[] {
  const latest = [...checkpoints].reverse().find((checkpoint) => checkpoint.status !== 'ERROR');
  if (latest === undefined) return [];
  return codesActedOn(actions, latest.alerts, 'hold').map((code) => ({
    code,
    checkpointId: latest.id,
    checkpointLabel: latest.label,
    checkpointCreatedAt: latest.createdAt,
    message: latest.alerts
      .filter((alert) => alert.code === code && alert.severity === 'CRITICAL')
      .map((alert) => alert.message)
      .join('; '),
  }));
}

/** The 409 PHASE_ON_HOLD detail: which alerts of which checkpoints hold `phase`, and what releases them. */
export function describeHolds(phase: string, holds: readonly Hold[]): string {
  const which = holds.map((hold) => `${hold.code} in checkpoint ${hold.checkpointLabel}`).join('; ');
  return `The phase ${phase} is on hold: ${which}. A later checkpoint without the alert, or dismissing it, releases the hold.`;
}
