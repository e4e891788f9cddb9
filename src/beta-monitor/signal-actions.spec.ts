import {
  SIGNAL_CODES,
  activeHolds,
  codesActedOn,
  signalActionErrors,
  signalActionsOf,
} from 'src/beta-monitor/signal-actions';
import type { Alert } from 'src/beta-monitor/checks';

const alert = (code: string, severity: Alert['severity'] = 'CRITICAL'): Alert => ({
  code,
  severity,
  message: `${code} happened`,
  observed: null,
  expected: null,
});
const checkpoint = (id: string, status: string, alerts: (Alert & { dismissed?: unknown })[]) => ({
  id,
  label: `label-${id}`,
  status,
  createdAt: '2026-02-01T06:00:00.000Z',
  alerts,
});

describe('signal actions', () => {
  it('defaults the rollback triggers to hold, or rollback with autoRollback; drift holds; the rest notify', () => {
    const manual = signalActionsOf({});
    expect(manual).toMatchObject({
      ERROR_RATE_5XX: 'hold',
      DETERMINISM_FAIL: 'hold',
      CRITICAL_COMPLAINT: 'hold',
      CONFIG_DRIFT: 'hold',
      LATENCY_P95: 'notify',
      MINOR_COMPLAINT: 'notify',
    });
    expect(Object.keys(manual).sort()).toEqual([...SIGNAL_CODES]);
    expect(signalActionsOf({ autoRollback: true })).toMatchObject({
      ERROR_RATE_5XX: 'rollback',
      DETERMINISM_FAIL: 'rollback',
      CRITICAL_COMPLAINT: 'rollback',
      CONFIG_DRIFT: 'hold',
    });
  });

  it('lets the phase choose per code over the defaults, and ignores stored codes no longer known', () => {
    const actions = signalActionsOf({
      autoRollback: true,
      signalActions: { ERROR_RATE_5XX: 'notify', LATENCY_P95: 'hold', GONE_CODE: 'rollback' },
    });
    expect(actions).toMatchObject({ ERROR_RATE_5XX: 'notify', LATENCY_P95: 'hold', DETERMINISM_FAIL: 'rollback' });
    expect(actions).not.toHaveProperty('GONE_CODE');
  });

  it('refuses unknown codes and actions, naming each', () => {
    expect(signalActionErrors({ CONFIG_DRIFT: 'notify' })).toEqual([]);
    expect(signalActionErrors({ NOT_A_CODE: 'hold', CONFIG_DRIFT: 'ignore' }).map((error) => error.code)).toEqual([
      'NOT_A_CODE',
      'CONFIG_DRIFT',
    ]);
    expect(signalActionErrors(['CONFIG_DRIFT'])).toHaveLength(1);
  });

  it('acts on CRITICAL alerts that are not dismissed, each code once', () => {
    const actions = signalActionsOf({ autoRollback: true });
    const alerts = [alert('ERROR_RATE_5XX'), alert('ERROR_RATE_5XX'), alert('DETERMINISM_FAIL', 'WARN')];
    expect(codesActedOn(actions, alerts, 'rollback')).toEqual(['ERROR_RATE_5XX']);
    expect(codesActedOn(actions, [{ ...alert('ERROR_RATE_5XX'), dismissed: { by: 'x' } }], 'rollback')).toEqual([]);
  });

  it('holds from the latest measured checkpoint only: a later one without the alert, or a dismissal, releases it', () => {
    const actions = signalActionsOf({});
    const drift = checkpoint('a', 'FAIL', [alert('CONFIG_DRIFT'), alert('CONFIG_DRIFT')]);
    expect(activeHolds(actions, [drift])).toEqual([
      expect.objectContaining({ code: 'CONFIG_DRIFT', checkpointId: 'a', checkpointLabel: 'label-a' }),
    ]);
    expect(activeHolds(actions, [drift, checkpoint('b', 'ERROR', [])])).toHaveLength(1);
    expect(activeHolds(actions, [drift, checkpoint('c', 'PASS', [])])).toEqual([]);
    const dismissed = checkpoint('d', 'FAIL', [{ ...alert('CONFIG_DRIFT'), dismissed: { reason: 'ok' } }]);
    expect(activeHolds(actions, [dismissed])).toEqual([]);
    expect(activeHolds(actions, [checkpoint('e', 'WARN', [alert('CONFIG_DRIFT', 'WARN')])])).toEqual([]);
    expect(activeHolds(signalActionsOf({ signalActions: { CONFIG_DRIFT: 'notify' } }), [drift])).toEqual([]);
  });
});
