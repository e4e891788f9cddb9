import {
  AuditEvent,
  CheckResult,
  ConfigCheckInput,
  DeterminismAnswers,
  MatchingStats,
  checkComplaints,
  checkConfig,
  checkDeterminism,
  checkHttpErrors,
  checkLatency,
  checkMatching,
  detectable5xxCount,
  formatPercent,
  selectHttpBaseline,
  verdict,
} from 'src/beta-monitor/checks';
import { SIGNIFICANCE_ALPHA, binomialLowerTail, binomialUpperTail, smoothedRate } from 'src/beta-monitor/statistics';
import { ResolvableFlag, evaluate } from 'src/feature-flags/resolver';
import type { HttpCounts } from 'src/telemetry/telemetry-aggregator';

const KEY = 'passenger_favorites_matching';
const BETA = Array.from({ length: 10 }, (_, i) => `pass_beta_${String(i + 1).padStart(3, '0')}_2026`);
const PROBES = [
  { subjectId: 'pass_beta_001_2026', inAllowlist: true },
  { subjectId: 'pass_beta_005_2026', inAllowlist: true },
];
const PHASE1 = { enabled: true, rolloutPercentage: 0, allowlistCount: 10 };

const codes = (result: CheckResult) => result.alerts.map((alert) => `${alert.code}:${alert.severity}`);

function configOf(overrides: Partial<ConfigCheckInput['actual']> = {}, changes: AuditEvent[] = []): ConfigCheckInput {
  return {
    actual: { ...PHASE1, masterSwitch: null, version: 12, ...overrides },
    expected: PHASE1,
    changes,
    featureKey: KEY,
  };
}

function auditOf(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    at: '2026-02-01T08:00:00.000Z',
    actor: 'admin@x',
    actorRole: 'SUPER_ADMIN',
    action: 'flag.updated',
    before: { enabled: true, rolloutPercentage: 0, allowlistCount: 10, version: 11 },
    after: { enabled: true, rolloutPercentage: 5, allowlistCount: 10, version: 12 },
    reason: null,
    ...overrides,
  };
}

/** HTTP counts: 2xx make up whatever the overrides leave of the total. */
function http(total: number, overrides: Partial<Omit<HttpCounts, 'total' | 'c2xx'>> = {}): HttpCounts {
  const counts = { c3xx: 0, c4xx: 0, c5xx: 0, c401: 0, c403: 0, c429: 0, ...overrides };
  const c4xx = Math.max(counts.c4xx, counts.c401 + counts.c403 + counts.c429);
  return { ...counts, c4xx, total, c2xx: total - counts.c3xx - c4xx - counts.c5xx };
}

function flagOf(overrides: Partial<ResolvableFlag> = {}): ResolvableFlag {
  return {
    key: KEY,
    enabled: true,
    rolloutBasisPoints: 0,
    version: 12,
    archived: false,
    allowlist: new Set(BETA),
    ...overrides,
  };
}

/** What the checkpoint collects: two live answers and one fresh one per probe. */
function answersFrom(
  live: ResolvableFlag,
  fresh: ResolvableFlag = live,
  masterSwitchOff = false,
): DeterminismAnswers[] {
  return PROBES.map(({ subjectId }) => ({
    subjectId,
    live: [evaluate(live, subjectId, masterSwitchOff), evaluate(live, subjectId, masterSwitchOff)],
    fresh: evaluate(fresh, subjectId, masterSwitchOff),
  }));
}

const matching = (
  total: number,
  success: number,
  ttmP50: number | null = 4000,
  ttmP95: number | null = 9000,
): MatchingStats => ({
  total,
  success,
  ttmP50,
  ttmP95,
});

describe('checkConfig (check 1)', () => {
  it('Phase 1 as expected: PASS with the snapshot as evidence', () => {
    const result = checkConfig(configOf());
    expect(result).toMatchObject({ name: 'config', outcome: 'PASS', alerts: [] });
    expect(result.evidence).toMatchObject({
      actual: { enabled: true, rolloutPercentage: 0, allowlistCount: 10, version: 12 },
      drifted: [],
    });
  });

  it('one passenger removed: CONFIG_DRIFT WARN naming who removed whom', () => {
    const removal = auditOf({
      actor: 'ops@x',
      actorRole: 'OPERATOR',
      action: 'allowlist.removed',
      before: { allowlistCount: 10, version: 12 },
      after: { allowlistCount: 9, version: 13, subjectIds: ['pass_beta_007_2026'] },
      reason: 'asked to leave the beta',
    });
    const result = checkConfig(configOf({ allowlistCount: 9 }, [removal]));
    expect(result.outcome).toBe('WARN');
    expect(codes(result)).toEqual(['CONFIG_DRIFT:WARN']);
    expect(result.alerts[0]).toMatchObject({ observed: { allowlistCount: 9 }, expected: { allowlistCount: 10 } });
    expect(result.alerts[0].message).toBe(
      'allowlistCount is 9, expected 10 (off by 1, tolerance 1) — changed by ops@x (OPERATOR) at 2026-02-01T08:00:00.000Z: ' +
        'allowlist.removed 10 → 9, reason "asked to leave the beta"',
    );
    expect(result.evidence.changes).toEqual([
      {
        at: '2026-02-01T08:00:00.000Z',
        actor: 'ops@x',
        actorRole: 'OPERATOR',
        action: 'allowlist.removed',
        before: removal.before,
        after: removal.after,
        reason: 'asked to leave the beta',
      },
    ]);
  });

  it('rollout 5 %: CONFIG_DRIFT CRITICAL naming who changed it and when', () => {
    const result = checkConfig(configOf({ rolloutPercentage: 5 }, [auditOf()]));
    expect(result.outcome).toBe('FAIL');
    expect(codes(result)).toEqual(['CONFIG_DRIFT:CRITICAL']);
    expect(result.alerts[0].message).toBe(
      'rolloutPercentage is 5, expected 0 — changed by admin@x (SUPER_ADMIN) at 2026-02-01T08:00:00.000Z: flag.updated 0 → 5',
    );
    expect(result.evidence.drifted).toEqual(['rolloutPercentage']);
  });

  it('blames the last event that changed the field and counts the earlier ones; ignores events that did not touch it', () => {
    const events = [
      auditOf({ actor: 'first@x', after: { enabled: true, rolloutPercentage: 1, allowlistCount: 10 } }),
      auditOf({
        actor: 'other@x',
        action: 'allowlist.added',
        before: { allowlistCount: 10 },
        after: { allowlistCount: 10 },
      }),
      auditOf({
        actor: 'second@x',
        at: '2026-02-01T09:00:00.000Z',
        before: { rolloutPercentage: 1 },
        after: { rolloutPercentage: 5 },
      }),
    ];
    const [alert] = checkConfig(configOf({ rolloutPercentage: 5 }, events)).alerts;
    expect(alert.message).toContain(
      'changed by second@x (SUPER_ADMIN) at 2026-02-01T09:00:00.000Z: flag.updated 1 → 5 (and 1 earlier change)',
    );
  });

  it('says so when no audit event explains the drift', () => {
    const [alert] = checkConfig(configOf({ enabled: false })).alerts;
    expect(alert).toMatchObject({
      code: 'CONFIG_DRIFT',
      severity: 'CRITICAL',
      observed: { enabled: false },
      expected: { enabled: true },
    });
    expect(alert.message).toBe('enabled is false, expected true — no audit event since the phase started explains it');
  });

  it('master switch off: CONFIG_DRIFT CRITICAL naming the variable', () => {
    const result = checkConfig(configOf({ masterSwitch: 'off' }));
    expect(codes(result)).toEqual(['CONFIG_DRIFT:CRITICAL']);
    expect(result.alerts[0].message).toContain('FEATURE_PASSENGER_FAVORITES_MATCHING');
  });

  it('allowlist off by more than the tolerance is CRITICAL; the tolerance is the phase’s', () => {
    expect(codes(checkConfig(configOf({ allowlistCount: 8 })))).toEqual(['CONFIG_DRIFT:CRITICAL']);
    expect(codes(checkConfig(configOf({ allowlistCount: 11 })))).toEqual(['CONFIG_DRIFT:WARN']);
    expect(codes(checkConfig(configOf({ allowlistCount: 0 })))).toEqual(['CONFIG_DRIFT:CRITICAL']);
    expect(codes(checkConfig({ ...configOf({ allowlistCount: 9 }), allowlistTolerance: 0 }))).toEqual([
      'CONFIG_DRIFT:CRITICAL',
    ]);
    expect(codes(checkConfig({ ...configOf({ allowlistCount: 12 }), allowlistTolerance: 3 }))).toEqual([
      'CONFIG_DRIFT:WARN',
    ]);
  });

  it('every difference is its own alert', () => {
    const result = checkConfig(
      configOf({ enabled: false, rolloutPercentage: 5, allowlistCount: 9, masterSwitch: 'off' }),
    );
    expect(codes(result)).toEqual([
      'CONFIG_DRIFT:CRITICAL',
      'CONFIG_DRIFT:CRITICAL',
      'CONFIG_DRIFT:CRITICAL',
      'CONFIG_DRIFT:WARN',
    ]);
    expect(result.evidence.drifted).toEqual(['enabled', 'rolloutPercentage', 'allowlistCount']);
  });

  it('compares percentages to the basis point, not float bits', () => {
    const result = checkConfig({
      ...configOf({ rolloutPercentage: 0.1 + 0.2 }),
      expected: { ...PHASE1, rolloutPercentage: 0.3 },
    });
    expect(result.outcome).toBe('PASS');
  });
});

describe('checkDeterminism (check 2)', () => {
  it('Phase 1: both probes answer ALLOWLIST on every call → PASS with every answer as evidence', () => {
    const result = checkDeterminism(PROBES, answersFrom(flagOf()));
    expect(result).toMatchObject({ name: 'determinism', outcome: 'PASS', alerts: [] });
    expect(result.evidence.probes).toEqual([
      expect.objectContaining({
        subjectId: 'pass_beta_001_2026',
        pass: true,
        problem: null,
        fresh: { enabled: true, reason: 'ALLOWLIST', bucket: 8133, version: 12 },
      }),
      expect.objectContaining({ subjectId: 'pass_beta_005_2026', pass: true, problem: null }),
    ]);
  });

  it('a probe dropped from the allowlist: DETERMINISM_FAIL CRITICAL for that probe only', () => {
    const allowlist = new Set(BETA.filter((id) => id !== 'pass_beta_005_2026'));
    const result = checkDeterminism(PROBES, answersFrom(flagOf({ allowlist })));
    expect(codes(result)).toEqual(['DETERMINISM_FAIL:CRITICAL']);
    expect(result.alerts[0].message).toBe(
      'pass_beta_005_2026: expected ALLOWLIST (on), got ROLLOUT_EXCLUDED (off, bucket 6523, version 12) from all 3 answers',
    );
    expect(result.alerts[0].expected).toEqual({ reason: 'ALLOWLIST', enabled: true });
  });

  it('live and fresh answers that disagree fail, naming every answer', () => {
    const result = checkDeterminism(PROBES, answersFrom(flagOf(), flagOf({ enabled: false, version: 13 })));
    expect(codes(result)).toEqual(['DETERMINISM_FAIL:CRITICAL', 'DETERMINISM_FAIL:CRITICAL']);
    expect(result.alerts[0].message).toContain('answers disagree: ALLOWLIST (on, bucket 8133, version 12) / ALLOWLIST');
    expect(result.alerts[0].message).toContain(
      'DISABLED (off, bucket 8133, version 13) (the flag version moved during the check)',
    );
  });

  it('two live answers that disagree fail even when the fresh read matches one of them', () => {
    const [first] = answersFrom(flagOf());
    const flipped = { ...first, live: [first.live[0], { ...first.live[1], bucket: 1 }] };
    expect(checkDeterminism([PROBES[0]], [flipped]).outcome).toBe('FAIL');
  });

  it('too few answers fail: one live call, no fresh read, a probe never evaluated', () => {
    const [first, second] = answersFrom(flagOf());
    const result = checkDeterminism(PROBES, [{ ...first, live: first.live.slice(0, 1), fresh: null }]);
    expect(codes(result)).toEqual(['DETERMINISM_FAIL:CRITICAL', 'DETERMINISM_FAIL:CRITICAL']);
    expect(result.alerts[0].message).toBe(
      'pass_beta_001_2026: 1 live answer(s), 2 needed; no answer from a fresh database read',
    );
    expect(result.alerts[1].message).toBe('pass_beta_005_2026: not evaluated');
    expect(checkDeterminism(PROBES, [first, second]).outcome).toBe('PASS');
  });

  it('the master switch makes allowlisted probes answer MASTER_SWITCH: a failure', () => {
    expect(checkDeterminism(PROBES, answersFrom(flagOf(), flagOf(), true)).outcome).toBe('FAIL');
  });

  it('a probe expected outside the allowlist passes with any reason but ALLOWLIST', () => {
    const outsider = [{ subjectId: 'pass_000042_2026', inAllowlist: false }];
    const ask = (flag: ResolvableFlag) => evaluate(flag, 'pass_000042_2026', false);
    const answers = (flag: ResolvableFlag) => [
      { subjectId: 'pass_000042_2026', live: [ask(flag), ask(flag)], fresh: ask(flag) },
    ];
    expect(checkDeterminism(outsider, answers(flagOf())).outcome).toBe('PASS');
    expect(checkDeterminism(outsider, answers(flagOf({ rolloutBasisPoints: 10000 }))).outcome).toBe('PASS');
    const listed = checkDeterminism(outsider, answers(flagOf({ allowlist: new Set(['pass_000042_2026']) })));
    expect(codes(listed)).toEqual(['DETERMINISM_FAIL:CRITICAL']);
    expect(listed.alerts[0].message).toContain('expected not ALLOWLIST');
  });

  it('no probes tested nothing: INSUFFICIENT_DATA, not PASS', () => {
    expect(checkDeterminism([], [])).toMatchObject({
      outcome: 'INSUFFICIENT_DATA',
      alerts: [],
      evidence: { message: 'the phase defines no determinism probes' },
    });
  });
});

describe('selectHttpBaseline', () => {
  it('control traffic from 100 requests on', () => {
    const baseline = selectHttpBaseline(http(100, { c5xx: 1 }), http(5000, { c5xx: 9 }));
    expect(baseline).toMatchObject({ source: 'control', rate5xx: 0.01, testRate5xx: 1.5 / 101 });
  });

  it('else the pre-phase baseline when it saw any request', () => {
    expect(selectHttpBaseline(http(99, { c5xx: 1 }), http(5000, { c5xx: 9 }))).toMatchObject({
      source: 'pre_phase',
      rate5xx: 9 / 5000,
    });
    expect(selectHttpBaseline(null, http(1))).toMatchObject({ source: 'pre_phase' });
  });

  it('else the phase’s fixed threshold, 0 by default, with 401/403/429 not compared', () => {
    const baseline = selectHttpBaseline(http(99), http(0));
    expect(baseline).toEqual({
      source: 'fixed',
      counts: null,
      rate5xx: 0,
      testRate5xx: 0,
      rateAuth: null,
      testRateAuth: null,
    });
    expect(selectHttpBaseline(null, null, { max5xxRate: 0.01 })).toMatchObject({
      source: 'fixed',
      rate5xx: 0.01,
      testRate5xx: 0.01,
    });
  });
});

describe('checkHttpErrors (check 3)', () => {
  const control = http(10_000, { c5xx: 10, c401: 30, c403: 10, c429: 10 });

  it('no 5xx over 500 requests: PASS with counts by class, rates, baseline and p-values', () => {
    const result = checkHttpErrors({ treatment: http(500, { c3xx: 5, c4xx: 7, c401: 2 }), control, prePhase: null });
    expect(result).toMatchObject({ name: 'http_errors', outcome: 'PASS', alerts: [] });
    expect(result.evidence).toMatchObject({
      treatment: {
        total: 500,
        c2xx: 488,
        c3xx: 5,
        c4xx: 7,
        c5xx: 0,
        c401: 2,
        c403: 0,
        c429: 0,
        errorRate: 7 / 500,
        rate5xx: 0,
        rateAuth: 2 / 500,
      },
      baseline: { source: 'control', rate5xx: 0.001, testRate5xx: smoothedRate(10, 10_000), rateAuth: 0.005 },
      pValue5xx: 1,
      alpha: SIGNIFICANCE_ALPHA,
      insufficientData: false,
    });
  });

  it('a zero baseline (0 of 5000 control) and 3 of 40 treatment: significant → ERROR_RATE_5XX CRITICAL', () => {
    const result = checkHttpErrors({ treatment: http(40, { c5xx: 3 }), control: http(5000), prePhase: null });
    expect(codes(result)).toEqual(['ERROR_RATE_5XX:CRITICAL']);
    expect(result.outcome).toBe('FAIL');
    const pValue = result.evidence.pValue5xx as number;
    expect(pValue).toBeCloseTo(binomialUpperTail(3, 40, 0.5 / 5001), 20);
    expect(pValue).toBeLessThan(1e-7);
    expect(result.alerts[0].message).toContain(
      '5xx rate 7.5 % (3 of 40) against control traffic 0 % (0 of 5000): significant increase',
    );
  });

  it('a zero baseline and 1 of 40: above baseline but not significant → ERROR_RATE_5XX WARN', () => {
    const result = checkHttpErrors({ treatment: http(40, { c5xx: 1 }), control: http(5000), prePhase: null });
    expect(codes(result)).toEqual(['ERROR_RATE_5XX:WARN']);
    expect(result.evidence.pValue5xx as number).toBeGreaterThan(SIGNIFICANCE_ALPHA);
    expect(result.alerts[0].message).toContain('not significant');
  });

  it('5xx at or below the baseline rate raise nothing', () => {
    expect(checkHttpErrors({ treatment: http(1000, { c5xx: 1 }), control, prePhase: null }).outcome).toBe('PASS');
  });

  it('P0: more than 10 % 5xx over at least 10 requests is CRITICAL even below 30 requests', () => {
    const result = checkHttpErrors({
      treatment: http(15, { c5xx: 2 }),
      control: http(10_000, { c5xx: 1000 }),
      prePhase: null,
    });
    expect(codes(result)).toEqual(['ERROR_RATE_5XX:CRITICAL']);
    expect(result.outcome).toBe('FAIL');
    expect(result.alerts[0].message).toContain('above 10 % (P0');
    expect(result.evidence.insufficientData).toBe(true);
  });

  it('exactly 10 % is not P0; 9 requests are too few for it', () => {
    const baseline = http(10_000, { c5xx: 1000 });
    expect(codes(checkHttpErrors({ treatment: http(30, { c5xx: 3 }), control: baseline, prePhase: null }))).toEqual([]);
    expect(codes(checkHttpErrors({ treatment: http(9, { c5xx: 2 }), control: baseline, prePhase: null }))).toEqual([
      'ERROR_RATE_5XX:WARN',
    ]);
  });

  it('below 30 requests an observed 5xx still warns (the runbook’s GREEN needs zero 5xx)', () => {
    const result = checkHttpErrors({ treatment: http(9, { c5xx: 1 }), control, prePhase: null });
    expect(codes(result)).toEqual(['ERROR_RATE_5XX:WARN']);
    expect(result.outcome).toBe('WARN');
  });

  it('below 30 requests and nothing seen: INSUFFICIENT_DATA with the smallest 5xx rate that would have shown', () => {
    const result = checkHttpErrors({ treatment: http(29), control: http(10_000, { c5xx: 20 }), prePhase: null });
    expect(result).toMatchObject({ outcome: 'INSUFFICIENT_DATA', alerts: [] });
    expect(result.evidence.detectable5xx).toEqual({
      count: 3,
      rate: 3 / 29,
      note: 'with 29 requests and 0 5xx errors, a 5xx rate of 10.3 % or more (3 errors) would have shown against control traffic 0.2 % (20 of 10000)',
    });
    expect(result.evidence.message).toBe(
      `fewer than 30 treatment requests: ${(result.evidence.detectable5xx as { note: string }).note}`,
    );
  });

  it('37 requests and 0 errors: a 5xx rate above 8 % would have shown', () => {
    const result = checkHttpErrors({ treatment: http(37), control: http(10_000, { c5xx: 20 }), prePhase: null });
    expect(result.outcome).toBe('PASS');
    expect(result.evidence.detectable5xx).toMatchObject({
      count: 3,
      note: expect.stringContaining('a 5xx rate of 8.1 % or more (3 errors)'),
    });
  });

  it('tiny samples: 0 of 3 and 0 of 0 are INSUFFICIENT_DATA', () => {
    const three = checkHttpErrors({ treatment: http(3), control, prePhase: null });
    expect(three.outcome).toBe('INSUFFICIENT_DATA');
    const count = (three.evidence.detectable5xx as { count: number }).count;
    expect(binomialUpperTail(count, 3, smoothedRate(10, 10_000))).toBeLessThan(SIGNIFICANCE_ALPHA);
    expect(binomialUpperTail(count - 1, 3, smoothedRate(10, 10_000))).toBeGreaterThanOrEqual(SIGNIFICANCE_ALPHA);
    const none = checkHttpErrors({ treatment: http(0), control, prePhase: null });
    expect(none).toMatchObject({
      outcome: 'INSUFFICIENT_DATA',
      alerts: [],
      evidence: { pValue5xx: 1, detectable5xx: { count: null, rate: null } },
    });
    expect((none.evidence.detectable5xx as { note: string }).note).toBe(
      'with 0 requests and 0 5xx errors, no 5xx rate would have shown as critical',
    );
  });

  describe('10 M requests', () => {
    const big = http(10_000_000, { c5xx: 10_000 });

    it('0.11 % against 0.10 %: significant (p ~ 1e-23) but within baseline + 10 % → WARN, not CRITICAL', () => {
      const result = checkHttpErrors({ treatment: http(10_000_000, { c5xx: 11_000 }), control: big, prePhase: null });
      expect(codes(result)).toEqual(['ERROR_RATE_5XX:WARN']);
      expect(result.evidence.pValue5xx as number).toBeLessThan(1e-20);
      expect(result.alerts[0].message).toContain('significant (p = 3.9e-23) but within baseline + 10 %');
    });

    it('0.12 % against 0.10 %: CRITICAL', () => {
      const result = checkHttpErrors({ treatment: http(10_000_000, { c5xx: 12_000 }), control: big, prePhase: null });
      expect(codes(result)).toEqual(['ERROR_RATE_5XX:CRITICAL']);
    });

    it('0.1011 % against 0.10 %: noise → WARN, not significant', () => {
      const result = checkHttpErrors({ treatment: http(10_000_000, { c5xx: 10_110 }), control: big, prePhase: null });
      expect(codes(result)).toEqual(['ERROR_RATE_5XX:WARN']);
      expect(result.evidence.pValue5xx as number).toBeGreaterThan(0.1);
    });
  });

  it('401/403/429 significantly above the baseline + 10 % → ERROR_RATE_4XX WARN; a small rise does not', () => {
    const rise = checkHttpErrors({ treatment: http(1000, { c401: 12, c403: 4, c429: 4 }), control, prePhase: null });
    expect(codes(rise)).toEqual(['ERROR_RATE_4XX:WARN']);
    expect(rise.alerts[0]).toMatchObject({
      observed: { c401: 12, c403: 4, c429: 4, total: 1000, rate: 0.02 },
      expected: { source: 'control', rate: 0.005 },
    });
    expect(codes(checkHttpErrors({ treatment: http(1000, { c401: 6 }), control, prePhase: null }))).toEqual([]);
  });

  it('the pre-phase baseline stands in when control traffic is thin', () => {
    const result = checkHttpErrors({
      treatment: http(200, { c5xx: 3 }),
      control: http(50),
      prePhase: http(20_000, { c5xx: 2 }),
    });
    expect(result.evidence.baseline).toMatchObject({ source: 'pre_phase', rate5xx: 0.0001 });
    expect(codes(result)).toEqual(['ERROR_RATE_5XX:CRITICAL']);
    expect(result.alerts[0].message).toContain('against the pre-phase baseline 0.01 % (2 of 20000)');
  });

  it('no baseline and the default threshold 0: any 5xx warns, above 10 % is still P0', () => {
    const one = checkHttpErrors({ treatment: http(100, { c5xx: 1 }), control: null, prePhase: null });
    expect(codes(one)).toEqual(['ERROR_RATE_5XX:WARN']);
    expect(one.evidence).toMatchObject({ baseline: { source: 'fixed', rate5xx: 0 }, pValue5xx: null });
    expect(one.alerts[0].message).toContain('not testable against a zero threshold');
    expect(codes(checkHttpErrors({ treatment: http(100, { c5xx: 11 }), control: null, prePhase: null }))).toEqual([
      'ERROR_RATE_5XX:CRITICAL',
    ]);
  });

  it('no baseline and a fixed threshold of 1 %: the test runs against it; 401/403/429 are not compared', () => {
    const run = (c5xx: number) =>
      checkHttpErrors({
        treatment: http(100, { c5xx, c401: 30 }),
        control: null,
        prePhase: null,
        thresholds: { max5xxRate: 0.01 },
      });
    expect(codes(run(1))).toEqual([]);
    expect(codes(run(3))).toEqual(['ERROR_RATE_5XX:WARN']);
    expect(codes(run(8))).toEqual(['ERROR_RATE_5XX:CRITICAL']);
    expect(run(8).evidence.pValueAuth).toBeNull();
  });
});

describe('detectable5xxCount', () => {
  it('is the smaller of the significance and P0 routes', () => {
    expect(detectable5xxCount(37, selectHttpBaseline(http(10_000, { c5xx: 20 }), null))).toBe(3);
    expect(detectable5xxCount(100, selectHttpBaseline(null, null))).toBe(11);
    expect(detectable5xxCount(9, selectHttpBaseline(null, null))).toBeNull();
  });
});

describe('checkLatency (check 4)', () => {
  const run = (treatmentP95: number | null, treatmentCount = 500, baselineP95: number | null = 200) =>
    checkLatency({ treatmentP95, baselineP95, treatmentCount });

  it('p95 above baseline × 1.5 → LATENCY_P95 CRITICAL', () => {
    expect(codes(run(301))).toEqual(['LATENCY_P95:CRITICAL']);
    expect(run(301).alerts[0].message).toBe('p95 301 ms is above baseline 200 ms × 1.5 = 300 ms');
  });

  it('above 80 % of that threshold → WARN; at it or below → PASS', () => {
    expect(codes(run(300))).toEqual(['LATENCY_P95:WARN']);
    expect(codes(run(241))).toEqual(['LATENCY_P95:WARN']);
    expect(run(240).outcome).toBe('PASS');
    expect(run(240).evidence).toMatchObject({ source: 'baseline', criticalAboveMs: 300, warnAboveMs: 240 });
  });

  it('fewer than 30 requests or no p95 → INSUFFICIENT_DATA, even when slow', () => {
    expect(run(900, 29)).toMatchObject({ outcome: 'INSUFFICIENT_DATA', alerts: [] });
    expect(run(null)).toMatchObject({ outcome: 'INSUFFICIENT_DATA', alerts: [] });
  });

  it('without a baseline the phase’s latencyP95Ms is the threshold; without either, INSUFFICIENT_DATA', () => {
    const fixed = (p95: number) =>
      checkLatency({ treatmentP95: p95, baselineP95: null, treatmentCount: 500, thresholds: { latencyP95Ms: 500 } });
    expect(codes(fixed(501))).toEqual(['LATENCY_P95:CRITICAL']);
    expect(codes(fixed(450))).toEqual(['LATENCY_P95:WARN']);
    expect(fixed(400).outcome).toBe('PASS');
    expect(run(900, 500, null)).toMatchObject({
      outcome: 'INSUFFICIENT_DATA',
      evidence: { message: 'no baseline p95 and no latencyP95Ms threshold to compare with' },
    });
  });
});

describe('checkComplaints (check 5)', () => {
  const complaint = (severity: 'critical' | 'minor', subjectId: string) => ({
    severity,
    subjectId,
    summary: 'matched to the wrong favourite',
    at: '2026-02-01T09:10:00Z',
  });

  it('none → PASS', () => {
    expect(checkComplaints([])).toMatchObject({ name: 'complaints', outcome: 'PASS', alerts: [] });
  });

  it('a minor complaint → MINOR_COMPLAINT WARN', () => {
    const result = checkComplaints([complaint('minor', 'pass_beta_003_2026')]);
    expect(codes(result)).toEqual(['MINOR_COMPLAINT:WARN']);
    expect(result.alerts[0].message).toBe('1 minor complaint(s) in the window, from pass_beta_003_2026');
  });

  it('a critical complaint → CRITICAL_COMPLAINT CRITICAL, beside the minor ones', () => {
    const critical = complaint('critical', 'pass_beta_001_2026');
    const result = checkComplaints([complaint('minor', 'pass_beta_003_2026'), critical, critical]);
    expect(result.outcome).toBe('FAIL');
    expect(codes(result)).toEqual(['CRITICAL_COMPLAINT:CRITICAL', 'MINOR_COMPLAINT:WARN']);
    expect(result.alerts[0]).toMatchObject({
      observed: { count: 2, subjectIds: ['pass_beta_001_2026'] },
      expected: { count: 0 },
    });
    expect(result.evidence).toMatchObject({ critical: 2, minor: 1 });
  });
});

describe('checkMatching (check 6)', () => {
  const baseline = matching(1000, 900);

  it('success rate at baseline and time-to-match within + 20 % → PASS', () => {
    expect(checkMatching({ treatment: matching(100, 90, 4800, 10_800), baseline })).toMatchObject({
      name: 'matching',
      outcome: 'PASS',
      alerts: [],
    });
  });

  it('below baseline but not below − 10 %, not significant → MATCHING_SUCCESS_DROP WARN', () => {
    const result = checkMatching({ treatment: matching(100, 89), baseline });
    expect(codes(result)).toEqual(['MATCHING_SUCCESS_DROP:WARN']);
    expect(result.alerts[0].message).toMatch(
      /^matching success rate 89 % \(89 of 100\) is below baseline 90 %: not significant \(p = 0\.\d+\)$/,
    );
    expect(codes(checkMatching({ treatment: matching(100, 81), baseline }))).toEqual(['MATCHING_SUCCESS_DROP:WARN']);
  });

  it('80 of 100 against 900 of 1000: below − 10 % but p ≈ 0.0021 is not significant → WARN, not CRITICAL', () => {
    const result = checkMatching({ treatment: matching(100, 80), baseline });
    expect(codes(result)).toEqual(['MATCHING_SUCCESS_DROP:WARN']);
    const pValue = result.evidence.pValue as number;
    expect(pValue).toBeCloseTo(binomialLowerTail(80, 100, 900.5 / 1001), 15);
    expect(pValue).toBeGreaterThan(0.002);
    expect(pValue).toBeLessThan(0.0022);
    expect(result.alerts[0].message).toBe(
      'matching success rate 80 % (80 of 100) is below baseline 90 %: below baseline − 10 % but not significant (p = 0.0021): too few outcomes to tell',
    );
    expect(result.alerts[0]).toMatchObject({
      observed: { successRate: 0.8, success: 80, total: 100, pValue },
      expected: { baselineRate: 0.9, criticalBelow: 0.9 * 0.9, alpha: SIGNIFICANCE_ALPHA },
    });
  });

  it('74 of 100 against 900 of 1000: below − 10 % and p ≈ 4.4e-6 → MATCHING_SUCCESS_DROP CRITICAL', () => {
    const result = checkMatching({ treatment: matching(100, 74), baseline });
    expect(codes(result)).toEqual(['MATCHING_SUCCESS_DROP:CRITICAL']);
    expect(result.outcome).toBe('FAIL');
    expect(result.evidence.pValue as number).toBeCloseTo(4.4e-6, 7);
    expect(result.alerts[0].message).toBe(
      'matching success rate 74 % (74 of 100) is below baseline 90 % − 10 %, a significant drop (p = 0.0000044)',
    );
    expect(result.evidence).toMatchObject({
      baseline: { total: 1000, success: 900, successRate: 0.9, testSuccessRate: 900.5 / 1001 },
      alpha: SIGNIFICANCE_ALPHA,
      criticalBelow: 0.9 * 0.9,
    });
  });

  it('a Phase 1 hour (10 outcomes against 9000 of 10,000): 4 successes is WARN (p ≈ 0.00015), 3 is CRITICAL (p ≈ 9e-6)', () => {
    const control = matching(10_000, 9000);
    const four = checkMatching({ treatment: matching(10, 4), baseline: control });
    expect(codes(four)).toEqual(['MATCHING_SUCCESS_DROP:WARN']);
    expect(four.alerts[0].message).toContain('below baseline − 10 % but not significant (p = 0.00015)');
    const three = checkMatching({ treatment: matching(10, 3), baseline: control });
    expect(codes(three)).toEqual(['MATCHING_SUCCESS_DROP:CRITICAL']);
    expect(three.evidence.pValue as number).toBeCloseTo(9.1e-6, 7);
    // Two failed matches of ten (80 %), which used to be CRITICAL on its own, is a WARN.
    expect(codes(checkMatching({ treatment: matching(10, 8), baseline: control }))).toEqual([
      'MATCHING_SUCCESS_DROP:WARN',
    ]);
  });

  it('significant but within − 10 % (85 % of 10,000 against 90 % of 100,000) → WARN saying so', () => {
    const result = checkMatching({ treatment: matching(10_000, 8500), baseline: matching(100_000, 90_000) });
    expect(codes(result)).toEqual(['MATCHING_SUCCESS_DROP:WARN']);
    expect(result.evidence.pValue as number).toBeLessThan(1e-40);
    expect(result.alerts[0].message).toContain('significant (p = ');
    expect(result.alerts[0].message).toContain(') but within baseline − 10 %');
  });

  it('a baseline without a failed match still tests: 89 of 100 against 1000 of 1000 is CRITICAL, 99 of 100 a WARN', () => {
    const perfect = matching(1000, 1000);
    expect(codes(checkMatching({ treatment: matching(100, 89), baseline: perfect }))).toEqual([
      'MATCHING_SUCCESS_DROP:CRITICAL',
    ]);
    expect(codes(checkMatching({ treatment: matching(100, 99), baseline: perfect }))).toEqual([
      'MATCHING_SUCCESS_DROP:WARN',
    ]);
  });

  it('at or above the baseline: no alert whatever the p-value', () => {
    const result = checkMatching({ treatment: matching(100, 95), baseline });
    expect(result).toMatchObject({ outcome: 'PASS', alerts: [] });
    expect(result.evidence.pValue as number).toBeGreaterThan(0.9);
  });

  it('time-to-match p50 or p95 above baseline + 20 % → TIME_TO_MATCH WARN, one per percentile', () => {
    expect(codes(checkMatching({ treatment: matching(100, 95, 4801, 9000), baseline }))).toEqual([
      'TIME_TO_MATCH:WARN',
    ]);
    expect(codes(checkMatching({ treatment: matching(100, 95, 5000, 12_000), baseline }))).toEqual([
      'TIME_TO_MATCH:WARN',
      'TIME_TO_MATCH:WARN',
    ]);
    expect(codes(checkMatching({ treatment: matching(100, 95, null, null), baseline }))).toEqual([]);
  });

  it('no matching outcomes, or no baseline → INSUFFICIENT_DATA', () => {
    expect(checkMatching({ treatment: matching(0, 0), baseline })).toMatchObject({
      outcome: 'INSUFFICIENT_DATA',
      evidence: { message: 'no matching outcomes in the window' },
    });
    expect(checkMatching({ treatment: matching(10, 2), baseline: null })).toMatchObject({
      outcome: 'INSUFFICIENT_DATA',
      alerts: [],
    });
    expect(checkMatching({ treatment: matching(10, 2), baseline: matching(0, 0) }).outcome).toBe('INSUFFICIENT_DATA');
  });
});

describe('verdict', () => {
  const pass = checkComplaints([]);
  const warn = checkComplaints([{ severity: 'minor', subjectId: 's', summary: '', at: '' }]);
  const fail = checkComplaints([{ severity: 'critical', subjectId: 's', summary: '', at: '' }]);
  const insufficient = checkMatching({ treatment: matching(0, 0), baseline: null });

  it('PASS/GREEN, WARN/YELLOW, FAIL/RED from the alerts', () => {
    expect(verdict([pass])).toEqual({ status: 'PASS', health: 'GREEN' });
    expect(verdict([pass, warn])).toEqual({ status: 'WARN', health: 'YELLOW' });
    expect(verdict([warn, fail, pass])).toEqual({ status: 'FAIL', health: 'RED' });
  });

  it('INSUFFICIENT_DATA neither passes nor fails by itself', () => {
    expect(verdict([insufficient])).toEqual({ status: 'PASS', health: 'GREEN' });
    expect(verdict([insufficient, warn])).toEqual({ status: 'WARN', health: 'YELLOW' });
  });

  it('a check that could not run is ERROR/RED, never a pass; a known CRITICAL still says FAIL', () => {
    const broken: CheckResult = {
      name: 'http_errors',
      outcome: 'ERROR',
      alerts: [],
      evidence: { error: 'telemetry source unreachable' },
    };
    expect(verdict([pass, broken])).toEqual({ status: 'ERROR', health: 'RED' });
    expect(verdict([warn, broken])).toEqual({ status: 'ERROR', health: 'RED' });
    expect(verdict([fail, broken])).toEqual({ status: 'FAIL', health: 'RED' });
  });
});

describe('the runbook’s Phase 1 checkpoint', () => {
  function checkpoint(config: ConfigCheckInput) {
    const flag = flagOf({ enabled: config.actual.enabled, rolloutBasisPoints: config.actual.rolloutPercentage * 100 });
    return [
      checkConfig(config),
      checkDeterminism(PROBES, answersFrom(flag)),
      checkHttpErrors({
        treatment: http(480, { c4xx: 3 }),
        control: http(52_000, { c5xx: 40, c401: 100 }),
        prePhase: null,
      }),
      checkLatency({ treatmentP95: 180, baselineP95: 170, treatmentCount: 480 }),
      checkComplaints([]),
      checkMatching({ treatment: matching(40, 38, 3900, 8800), baseline: matching(6000, 5400, 4000, 9000) }),
    ];
  }

  it('enabled, 0 %, 10 allowlisted, both probes in the allowlist, no errors: PASS/GREEN', () => {
    const results = checkpoint(configOf());
    expect(results.map((result) => result.outcome)).toEqual(['PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS']);
    expect(verdict(results)).toEqual({ status: 'PASS', health: 'GREEN' });
  });

  it('one passenger removed: WARN/YELLOW with CONFIG_DRIFT', () => {
    const results = checkpoint(configOf({ allowlistCount: 9 }));
    expect(verdict(results)).toEqual({ status: 'WARN', health: 'YELLOW' });
    expect(results.flatMap(codes)).toEqual(['CONFIG_DRIFT:WARN']);
  });

  it('rollout raised to 5 %: FAIL/RED naming who changed it', () => {
    const results = checkpoint(configOf({ rolloutPercentage: 5 }, [auditOf()]));
    expect(verdict(results)).toEqual({ status: 'FAIL', health: 'RED' });
    expect(results.flatMap(codes)).toEqual(['CONFIG_DRIFT:CRITICAL']);
    expect(results[0].alerts[0].message).toContain('rolloutPercentage is 5, expected 0 — changed by admin@x');
  });
});

describe('formatPercent', () => {
  it.each([
    [0, '0 %'],
    [3 / 37, '8.1 %'],
    [0.0011, '0.11 %'],
    [0.1, '10 %'],
    [1, '100 %'],
  ])('%d → %s', (rate, text) => {
    expect(formatPercent(rate)).toBe(text);
  });
});
