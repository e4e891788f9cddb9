import { verdict } from 'src/beta-monitor/checks';
import {
  PHASE_5XX_CHECK,
  PHASE_MATCHING_CHECK,
  PhaseHour,
  checkErrorRate5xxPhase,
  checkMatchingSuccessPhase,
} from 'src/beta-monitor/phase-checks';
import { phaseHoursOf } from 'src/beta-monitor/phase-measurement.service';

const START = Date.parse('2026-02-01T06:00:00Z');
const H = 3_600_000;

/** `count` hours of the same traffic: treatment [requests, 5xx, matches, successes], control likewise. */
function hours(count: number, treatment: number[], control: number[]): PhaseHour[] {
  const arm = ([requests, c5xx, matchingTotal = 0, matchingSuccess = 0]: number[]) => ({
    requests,
    c5xx,
    matchingTotal,
    matchingSuccess,
  });
  return Array.from({ length: count }, (_, i) => ({
    start: new Date(START + i * H).toISOString(),
    treatment: arm(treatment),
    control: arm(control),
  }));
}

const codes = (result: { alerts: { code: string; severity: string }[] }) =>
  result.alerts.map((alert) => `${alert.code}:${alert.severity}`);

describe('5xx over the phase', () => {
  it('a slow doubling no single hour shows: 1 of 50 each hour against 0.5 % control → CRITICAL by the day’s end', () => {
    const day = hours(24, [50, 1], [10_000, 50]);
    const firstHour = checkErrorRate5xxPhase(day.slice(0, 1));
    expect(firstHour.outcome).toBe('PASS');
    const result = checkErrorRate5xxPhase(day);
    expect(result.name).toBe(PHASE_5XX_CHECK);
    expect(result.outcome).toBe('FAIL');
    expect(codes(result)).toEqual(['ERROR_RATE_5XX:CRITICAL']);
    expect(result.alerts[0].message).toContain(
      '5xx rate over the phase 2 % (24 of 1200) against control 0.5 % (1200 of 240000)',
    );
    expect(result.evidence).toMatchObject({
      treatment: { requests: 1200, c5xx: 24 },
      control: { requests: 240_000, c5xx: 1200 },
      rateRatio: 4,
      rejected: true,
      alpha: 0.01,
      threshold: 100,
      hours: 24,
    });
    expect(result.evidence.pValue).toBeLessThan(0.01);
    expect(verdict([result])).toEqual({ status: 'FAIL', health: 'RED' });
  });

  it('equal rates over the phase → PASS with the p-value in the evidence', () => {
    const result = checkErrorRate5xxPhase(hours(24, [2_000, 20], [198_000, 1_980]));
    expect(result.outcome).toBe('PASS');
    expect(result.alerts).toEqual([]);
    expect(result.evidence).toMatchObject({ rejected: false, pValue: 1, rateRatio: 1 });
  });

  it('significant but within control + 10 % → WARN', () => {
    // A long phase at high volume: 1.08 % against 1 % is significant, but below 1.1 %.
    const result = checkErrorRate5xxPhase(hours(200, [100_000, 1_080], [1_000_000, 10_000]));
    expect(result.evidence.rejected).toBe(true);
    expect(codes(result)).toEqual(['ERROR_RATE_5XX:WARN']);
  });

  it('fewer 5xx in treatment than control never alerts', () => {
    expect(checkErrorRate5xxPhase(hours(24, [2_000, 0], [198_000, 5_000])).alerts).toEqual([]);
  });

  it('no control traffic, or fewer than 30 treatment requests → INSUFFICIENT_DATA', () => {
    expect(checkErrorRate5xxPhase(hours(3, [100, 1], [0, 0]))).toMatchObject({
      outcome: 'INSUFFICIENT_DATA',
      evidence: { message: 'no control traffic in the phase to compare with' },
    });
    expect(checkErrorRate5xxPhase(hours(2, [10, 0], [1_000, 1]))).toMatchObject({
      outcome: 'INSUFFICIENT_DATA',
      evidence: { message: '20 treatment request(s) in the phase, 30 needed' },
    });
    expect(checkErrorRate5xxPhase([]).outcome).toBe('INSUFFICIENT_DATA');
  });
});

describe('matching success over the phase', () => {
  it('a drop of more than 10 % (90 % → 80 %) at Phase 2 volume → MATCHING_SUCCESS_DROP CRITICAL', () => {
    const result = checkMatchingSuccessPhase(hours(4, [0, 0, 400, 320], [0, 0, 40_000, 36_000]));
    expect(result.name).toBe(PHASE_MATCHING_CHECK);
    expect(codes(result)).toEqual(['MATCHING_SUCCESS_DROP:CRITICAL']);
    expect(result.evidence).toMatchObject({
      treatment: { total: 1600, success: 1280, successRate: 0.8 },
      control: { total: 160_000, success: 144_000, successRate: 0.9 },
      rejected: true,
    });
  });

  it('significant but less than 10 % down → WARN', () => {
    const result = checkMatchingSuccessPhase(hours(24, [0, 0, 10_000, 8_600], [0, 0, 100_000, 90_000]));
    expect(codes(result)).toEqual(['MATCHING_SUCCESS_DROP:WARN']);
  });

  it('the same success rate → PASS; no outcomes → INSUFFICIENT_DATA', () => {
    expect(checkMatchingSuccessPhase(hours(24, [0, 0, 400, 360], [0, 0, 40_000, 36_000])).outcome).toBe('PASS');
    expect(checkMatchingSuccessPhase(hours(24, [50, 0], [500, 0])).outcome).toBe('INSUFFICIENT_DATA');
    expect(checkMatchingSuccessPhase(hours(2, [0, 0, 10, 5], [0, 0, 0, 0]))).toMatchObject({
      outcome: 'INSUFFICIENT_DATA',
      evidence: { message: 'no control matching outcomes in the phase to compare with' },
    });
  });
});

describe('phaseHoursOf', () => {
  it('pairs the stored rows by hour, oldest first, an arm without rows counting zero', () => {
    const at = (i: number) => new Date(START + i * H);
    const row = (variant: 'on' | 'off', hour: number, requests: number) => ({
      variant,
      hour: at(hour),
      requests,
      c5xx: 1,
      matchingTotal: 0,
      matchingSuccess: 0,
    });
    const result = phaseHoursOf([row('off', 1, 300), row('on', 0, 10), row('on', 1, 20)]);
    expect(result).toEqual([
      {
        start: at(0).toISOString(),
        treatment: { requests: 10, c5xx: 1, matchingTotal: 0, matchingSuccess: 0 },
        control: { requests: 0, c5xx: 0, matchingTotal: 0, matchingSuccess: 0 },
      },
      {
        start: at(1).toISOString(),
        treatment: { requests: 20, c5xx: 1, matchingTotal: 0, matchingSuccess: 0 },
        control: { requests: 300, c5xx: 1, matchingTotal: 0, matchingSuccess: 0 },
      },
    ]);
  });
});
