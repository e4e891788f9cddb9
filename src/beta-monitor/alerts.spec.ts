import { createHmac } from 'node:crypto';
import {
  AlertingCheckpoint,
  alertReason,
  alertSeverity,
  buildAlertPayload,
  retryDelayMs,
  signBody,
} from 'src/beta-monitor/alerts';

type A = AlertingCheckpoint['alerts'][number];
const alert = (code: string, severity: A['severity'] = 'CRITICAL', observed: unknown = null): A => ({
  code,
  severity,
  message: code,
  observed,
  expected: null,
});

const checkpoint = (overrides: Partial<AlertingCheckpoint> = {}): AlertingCheckpoint => ({
  id: '0b6f7c4e-4d1a-4c55-9f0e-2a8a0c1f7d11',
  featureKey: 'passenger_favorites_matching',
  phase: 'phase1_beta',
  label: 'scheduled-2026-02-01T06:00Z',
  status: 'FAIL',
  health: 'RED',
  trigger: 'scheduled',
  alerts: [],
  error: null,
  createdAt: '2026-02-01T06:00:01.000Z',
  ...overrides,
});

describe('alertReason', () => {
  it('alerts on every FAIL and ERROR, repeated or not', () => {
    expect(alertReason('FAIL', 'FAIL')).toBe('FAIL');
    expect(alertReason('FAIL', null)).toBe('FAIL');
    expect(alertReason('ERROR', 'ERROR')).toBe('ERROR');
    expect(alertReason('ERROR', 'PASS')).toBe('ERROR');
  });

  it('alerts on a change of status, including recoveries', () => {
    expect(alertReason('WARN', 'PASS')).toBe('STATUS_CHANGE');
    expect(alertReason('PASS', 'FAIL')).toBe('STATUS_CHANGE');
    expect(alertReason('PASS', 'WARN')).toBe('STATUS_CHANGE');
    expect(alertReason('WARN', 'FAIL')).toBe('STATUS_CHANGE');
  });

  it('stays silent when nothing changed, and treats a first checkpoint as following a PASS', () => {
    expect(alertReason('PASS', 'PASS')).toBeNull();
    expect(alertReason('WARN', 'WARN')).toBeNull();
    expect(alertReason('PASS', null)).toBeNull();
    expect(alertReason('WARN', null)).toBe('STATUS_CHANGE');
  });
});

describe('alertSeverity (runbook §6)', () => {
  it('P0 for a 5xx rate above 10 %, user impact, or several critical codes', () => {
    expect(
      alertSeverity(checkpoint({ alerts: [alert('ERROR_RATE_5XX', 'CRITICAL', { rate5xx: 0.25, total: 200 })] })),
    ).toBe('P0');
    expect(alertSeverity(checkpoint({ alerts: [alert('CRITICAL_COMPLAINT')] }))).toBe('P0');
    expect(alertSeverity(checkpoint({ alerts: [alert('CRITICAL_COMPLAINT'), alert('ROLLBACK_EXECUTED')] }))).toBe('P0');
    expect(alertSeverity(checkpoint({ alerts: [alert('CONFIG_DRIFT'), alert('DETERMINISM_FAIL')] }))).toBe('P0');
  });

  it('P1 for any other FAIL and for ERROR', () => {
    expect(alertSeverity(checkpoint({ alerts: [alert('CONFIG_DRIFT'), alert('CONFIG_DRIFT')] }))).toBe('P1');
    expect(
      alertSeverity(
        checkpoint({ alerts: [alert('ERROR_RATE_5XX', 'CRITICAL', { rate5xx: 0.04 }), alert('LATENCY_P95', 'WARN')] }),
      ),
    ).toBe('P1');
    expect(alertSeverity(checkpoint({ alerts: [alert('DETERMINISM_FAIL')] }))).toBe('P1');
    expect(alertSeverity(checkpoint({ status: 'ERROR', health: 'RED', alerts: [] }))).toBe('P1');
  });

  it('P2 for WARN and recoveries', () => {
    expect(
      alertSeverity(checkpoint({ status: 'WARN', health: 'YELLOW', alerts: [alert('ERROR_RATE_4XX', 'WARN')] })),
    ).toBe('P2');
    expect(alertSeverity(checkpoint({ status: 'PASS', health: 'GREEN' }))).toBe('P2');
  });

  it('treats an ERROR_RATE_5XX critical without a readable rate as P0', () => {
    expect(alertSeverity(checkpoint({ alerts: [alert('ERROR_RATE_5XX')] }))).toBe('P0');
  });
});

describe('buildAlertPayload', () => {
  it('has a line for people and the fields for machines', () => {
    const failed = checkpoint({
      alerts: [
        alert('ERROR_RATE_5XX', 'CRITICAL', { rate5xx: 0.25 }),
        alert('CONFIG_DRIFT'),
        alert('CONFIG_DRIFT', 'WARN'),
        alert('LATENCY_P95', 'WARN'),
      ],
    });
    const payload = buildAlertPayload(failed, 'PASS', 'FAIL');
    expect(payload).toEqual({
      text:
        ':red_circle: P0 passenger_favorites_matching phase1_beta FAIL (was PASS) — ERROR_RATE_5XX, CONFIG_DRIFT, LATENCY_P95 ' +
        '(checkpoint scheduled-2026-02-01T06:00Z)',
      id: failed.id,
      label: 'scheduled-2026-02-01T06:00Z',
      featureKey: 'passenger_favorites_matching',
      phase: 'phase1_beta',
      status: 'FAIL',
      health: 'RED',
      previousStatus: 'PASS',
      reason: 'FAIL',
      severity: 'P0',
      alerts: ['ERROR_RATE_5XX', 'CONFIG_DRIFT', 'LATENCY_P95'],
      criticalAlerts: ['ERROR_RATE_5XX', 'CONFIG_DRIFT'],
      error: null,
      trigger: 'scheduled',
      createdAt: failed.createdAt,
      checkpointUrl: `/api/admin/beta-monitor/passenger_favorites_matching/checkpoints/${failed.id}`,
    });
  });

  it('says "recovered" for a return to PASS and names the reason of an ERROR', () => {
    const recovered = buildAlertPayload(checkpoint({ status: 'PASS', health: 'GREEN' }), 'FAIL', 'STATUS_CHANGE');
    expect(recovered.text).toBe(
      ':large_green_circle: P2 passenger_favorites_matching phase1_beta PASS (was FAIL) — recovered (checkpoint scheduled-2026-02-01T06:00Z)',
    );
    expect(recovered).toMatchObject({ severity: 'P2', reason: 'STATUS_CHANGE', alerts: [] });
    const error = buildAlertPayload(checkpoint({ status: 'ERROR', error: 'connect ECONNREFUSED' }), 'ERROR', 'ERROR');
    expect(error.text).toBe(
      ':large_orange_circle: P1 passenger_favorites_matching phase1_beta ERROR — could not measure: connect ECONNREFUSED (checkpoint scheduled-2026-02-01T06:00Z)',
    );
  });
});

describe('signBody', () => {
  it('is the hex HMAC-SHA256 of the raw body', () => {
    const body = JSON.stringify(buildAlertPayload(checkpoint({ alerts: [alert('CONFIG_DRIFT')] }), 'PASS', 'FAIL'));
    const secret = 'whsec-test';
    expect(signBody(body, secret)).toBe(createHmac('sha256', secret).update(body).digest('hex'));
    expect(signBody(body, secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(signBody(`${body} `, secret)).not.toBe(signBody(body, secret));
  });
});

describe('retryDelayMs', () => {
  it('doubles from 1 s and stops at 5 minutes', () => {
    expect([1, 2, 3, 4, 9, 10, 50, 10_000].map(retryDelayMs)).toEqual([
      1000, 2000, 4000, 8000, 256_000, 300_000, 300_000, 300_000,
    ]);
  });
});
