import { Alert, CheckResult, checkHttpErrors, verdict } from 'src/beta-monitor/checks';
import {
  DataCoverage,
  NO_TRAFFIC_NOTE,
  checkSampleRatio,
  checkTelemetryCoverage,
  dataCoverage,
  markUnreliable,
} from 'src/beta-monitor/coverage-checks';
import { PHASE_5XX_CHECK } from 'src/beta-monitor/phase-checks';

const END = new Date('2026-02-01T07:00:00Z');

function coverage(
  overrides: Partial<{
    on: number;
    off: number;
    matchingOn: number;
    evalOn: number;
    evalOff: number;
    last: Date | null;
  }> = {},
): DataCoverage {
  const { on = 0, off = 0, matchingOn = 0, evalOn = 0, evalOff = 0, last = null } = overrides;
  return dataCoverage({
    treatment: { requests: on, matching: matchingOn },
    control: { requests: off, matching: 0 },
    evaluations: { on: evalOn, off: evalOff },
    lastTelemetryAt: last,
    windowEnd: END,
  });
}

const http = (total: number, c5xx: number) => ({
  total,
  c2xx: total - c5xx,
  c3xx: 0,
  c4xx: 0,
  c5xx,
  c401: 0,
  c403: 0,
  c429: 0,
});

describe('data coverage', () => {
  it('no evaluations and no telemetry is "no traffic": INSUFFICIENT_DATA with the note, still GREEN', () => {
    const seen = coverage();
    expect(seen).toMatchObject({ noTraffic: true, note: NO_TRAFFIC_NOTE, lastTelemetryAt: null });
    const result = checkTelemetryCoverage(seen);
    expect(result.outcome).toBe('INSUFFICIENT_DATA');
    expect(verdict([result])).toEqual({ status: 'PASS', health: 'GREEN' });
  });

  it('evaluations alone are traffic; the time since the last telemetry is measured to the window end', () => {
    const seen = coverage({ evalOff: 3, last: new Date('2026-02-01T05:30:00Z') });
    expect(seen.noTraffic).toBe(false);
    expect(seen.note).toBeNull();
    expect(seen.secondsSinceLastTelemetry).toBe(5400);
  });

  it('served ON 10 times with no treatment telemetry → TELEMETRY_MISSING WARN (YELLOW)', () => {
    const result = checkTelemetryCoverage(coverage({ evalOn: 10, evalOff: 90, off: 80 }));
    expect(result.alerts.map((alert) => [alert.code, alert.severity])).toEqual([['TELEMETRY_MISSING', 'WARN']]);
    expect(result.alerts[0].message).toContain('served ON 10 time(s)');
    expect(verdict([result])).toEqual({ status: 'WARN', health: 'YELLOW' });
  });

  it('below the minimum, or with any treatment telemetry (HTTP or matching), no alert', () => {
    expect(checkTelemetryCoverage(coverage({ evalOn: 9 })).alerts).toEqual([]);
    expect(checkTelemetryCoverage(coverage({ evalOn: 50, on: 1 })).alerts).toEqual([]);
    expect(checkTelemetryCoverage(coverage({ evalOn: 50, matchingOn: 1 })).outcome).toBe('PASS');
  });
});

describe('sample ratio check', () => {
  it('runs only for a percentage rollout and with enough data', () => {
    const plenty = coverage({ on: 500, off: 500, evalOn: 500, evalOff: 500 });
    expect(checkSampleRatio({ rolloutPercentage: 100, coverage: plenty }).outcome).toBe('INSUFFICIENT_DATA');
    expect(checkSampleRatio({ rolloutPercentage: 0, coverage: plenty }).outcome).toBe('INSUFFICIENT_DATA');
    const few = coverage({ on: 60, off: 39, evalOn: 500, evalOff: 500 });
    expect(checkSampleRatio({ rolloutPercentage: 50, coverage: few }).outcome).toBe('INSUFFICIENT_DATA');
  });

  it('shares that agree within chance pass', () => {
    // 10 % served ON; 112 of 1000 requests under "on" is well within chance (p ≈ 0.2).
    const result = checkSampleRatio({
      rolloutPercentage: 10,
      coverage: coverage({ on: 112, off: 888, evalOn: 100, evalOff: 900 }),
    });
    expect(result.outcome).toBe('PASS');
    expect(result.evidence.pValue as number).toBeGreaterThan(0.01);
  });

  it('telemetry under "on" far above the ON share of evaluations → SAMPLE_RATIO_MISMATCH WARN', () => {
    const result = checkSampleRatio({
      rolloutPercentage: 10,
      coverage: coverage({ on: 300, off: 700, evalOn: 100, evalOff: 900 }),
    });
    expect(result.alerts.map((alert) => [alert.code, alert.severity])).toEqual([['SAMPLE_RATIO_MISMATCH', 'WARN']]);
    expect(result.evidence).toMatchObject({ observedShare: 0.3, expectedShare: 0.1 });
    expect(result.evidence.pValue as number).toBeLessThan(1e-40);
  });

  it('a share far below (telemetry of another flag, or "on" lost) is caught too: the test is two-sided', () => {
    const result = checkSampleRatio({
      rolloutPercentage: 50,
      coverage: coverage({ on: 100, off: 900, evalOn: 500, evalOff: 500 }),
    });
    expect(result.outcome).toBe('WARN');
  });
});

describe('comparisons of a misattributed window', () => {
  const mismatch = checkSampleRatio({
    rolloutPercentage: 10,
    coverage: coverage({ on: 300, off: 700, evalOn: 100, evalOff: 900 }),
  });
  const matching = checkSampleRatio({
    rolloutPercentage: 10,
    coverage: coverage({ on: 100, off: 900, evalOn: 100, evalOff: 900 }),
  });

  it('a significant 5xx increase stays CRITICAL (a mismatch can be the harm itself), marked unreliable', () => {
    // 8 % against control's 1 %: CRITICAL, below the P0 bar of 10 %.
    const errors = checkHttpErrors({ treatment: http(300, 24), control: http(700, 7), prePhase: null });
    expect(errors.outcome).toBe('FAIL');
    const [marked] = markUnreliable([errors], mismatch);
    expect(marked.outcome).toBe('FAIL');
    expect(marked.alerts.map((alert: Alert) => alert.severity)).toEqual(['CRITICAL']);
    expect(marked.alerts[0].message).toContain('check the variant attribution');
    expect(marked.evidence.unreliable).toMatchObject({ alerts: ['ERROR_RATE_5XX'] });
    expect(verdict([marked, mismatch]).health).toBe('RED');
  });

  it('the checks over the whole phase are marked too: their sums include this window', () => {
    const phase: CheckResult = {
      name: PHASE_5XX_CHECK,
      outcome: 'FAIL',
      alerts: [
        {
          code: 'ERROR_RATE_5XX',
          severity: 'CRITICAL',
          message: '5xx rate over the phase 8 %',
          observed: { c5xx: 24, total: 300 },
          expected: null,
        },
      ],
      evidence: {},
    };
    const [marked] = markUnreliable([phase], mismatch);
    expect([marked.outcome, marked.alerts[0].severity]).toEqual(['FAIL', 'CRITICAL']);
    expect(marked.evidence.unreliable).toMatchObject({ alerts: ['ERROR_RATE_5XX'] });
  });

  it('without a mismatch nothing changes, and other checks are never touched', () => {
    const errors = checkHttpErrors({ treatment: http(300, 24), control: http(700, 7), prePhase: null });
    expect(markUnreliable([errors], matching)).toEqual([errors]);
    const complaint: CheckResult = {
      name: 'complaints',
      outcome: 'FAIL',
      alerts: [{ code: 'CRITICAL_COMPLAINT', severity: 'CRITICAL', message: '', observed: null, expected: null }],
      evidence: {},
    };
    expect(markUnreliable([complaint], mismatch)).toEqual([complaint]);
  });
});
