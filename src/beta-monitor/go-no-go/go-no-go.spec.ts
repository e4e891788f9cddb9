import { Alert } from 'src/beta-monitor/checks';
import {
  AUTOMATED_CRITERIA,
  CHECKLIST_ITEMS,
  CriterionStatus,
  Decision,
  PhaseCheckpoint,
  SignedStatus,
  automatedCriteria,
  checkCoverage,
  checkRollbackTriggers,
  decide,
  extensionMsOf,
  goNoGoDueAt,
  suggestChecklist,
} from 'src/beta-monitor/go-no-go/go-no-go';
import { coverageCadenceMs, scheduledLabel } from 'src/beta-monitor/scheduled-label';

const START = new Date('2026-02-01T06:30:00Z');
const DUE = new Date('2026-02-02T06:30:00Z');
const BEFORE_DUE = new Date('2026-02-01T18:00:00Z');
const AFTER_DUE = new Date('2026-02-02T07:00:00Z');
const H = 3_600_000;

const automated = (status: CriterionStatus, which = 0) =>
  AUTOMATED_CRITERIA.map((code, index) => ({ code, status: index === which ? status : ('PASS' as CriterionStatus) }));
const manual = (status: SignedStatus | null, which = 0) =>
  CHECKLIST_ITEMS.map((item, index) => ({ item, signed: index === which ? status : ('PASS' as SignedStatus) }));

describe('go/no-go decision (runbook §5 matrix)', () => {
  type Row = [string, ReturnType<typeof automated>, ReturnType<typeof manual>, Date, Decision, Date | null];
  const rows: Row[] = [
    // The runbook's matrix, one row each.
    ['all automated PASS + all manual PASS → GO', automated('PASS'), manual('PASS'), AFTER_DUE, 'GO', null],
    [
      'automated PASS + a manual WARN → EXTEND, due + 24 h',
      automated('PASS'),
      manual('WARN', 2),
      AFTER_DUE,
      'EXTEND',
      new Date(DUE.getTime() + 24 * H),
    ],
    ['any FAIL (automated) → NO_GO', automated('FAIL', 1), manual('PASS'), AFTER_DUE, 'NO_GO', null],
    ['any FAIL (signed manual) → NO_GO', automated('PASS'), manual('FAIL', 4), AFTER_DUE, 'NO_GO', null],
    [
      'a FAIL wins over a WARN → NO_GO',
      automated('PASS'),
      [...manual('WARN', 0).slice(0, 4), { item: 'RESOLVER_DETERMINISM', signed: 'FAIL' }],
      AFTER_DUE,
      'NO_GO',
      null,
    ],
    // Early NO_GO: known before the due time.
    ['automated FAIL before the due time → NO_GO', automated('FAIL', 3), manual(null), BEFORE_DUE, 'NO_GO', null],
    ['signed manual FAIL before the due time → NO_GO', automated('PASS'), manual('FAIL', 3), BEFORE_DUE, 'NO_GO', null],
    // PENDING.
    [
      'everything PASS but before the due time → PENDING',
      automated('PASS'),
      manual('PASS'),
      BEFORE_DUE,
      'PENDING',
      DUE,
    ],
    [
      'after the due time with an unsigned item → PENDING',
      automated('PASS'),
      manual(null, 1),
      AFTER_DUE,
      'PENDING',
      DUE,
    ],
    ['a WARN before the due time → PENDING', automated('PASS'), manual('WARN'), BEFORE_DUE, 'PENDING', DUE],
    ['exactly at the due time, all PASS → GO', automated('PASS'), manual('PASS'), DUE, 'GO', null],
    // Not in the matrix: automated WARN / INSUFFICIENT_DATA are never a GO.
    [
      'automated WARN, manual PASS → EXTEND',
      automated('WARN', 1),
      manual('PASS'),
      AFTER_DUE,
      'EXTEND',
      new Date(DUE.getTime() + 24 * H),
    ],
    [
      'automated INSUFFICIENT_DATA → EXTEND',
      automated('INSUFFICIENT_DATA', 0),
      manual('PASS'),
      AFTER_DUE,
      'EXTEND',
      new Date(DUE.getTime() + 24 * H),
    ],
    [
      'EXTEND 30 h after the due time → next review at due + 48 h',
      automated('PASS'),
      manual('WARN'),
      new Date(DUE.getTime() + 30 * H),
      'EXTEND',
      new Date(DUE.getTime() + 48 * H),
    ],
  ];

  it.each(rows)('%s', (_name, auto, signed, now, decision, nextReviewAt) => {
    const result = decide({ automated: auto, manual: signed, dueAt: DUE, now });
    expect(result.decision).toBe(decision);
    expect(result.nextReviewAt).toEqual(nextReviewAt);
    expect(result.reasons.length).toBeGreaterThan(0);
  });

  it('continues a phase shorter than 24 h for its own length: a 5-minute phase is reviewed again every 5 minutes', () => {
    const fiveMinutes = extensionMsOf({ minDurationMinutes: 5 });
    expect(fiveMinutes).toBe(5 * 60_000);
    expect(extensionMsOf({ minDurationMinutes: 24 * 60 * 7 })).toBe(24 * H);
    const result = decide({
      automated: automated('PASS'),
      manual: manual('WARN'),
      dueAt: DUE,
      now: new Date(DUE.getTime() + 7 * 60_000),
      extensionMs: fiveMinutes,
    });
    expect(result).toMatchObject({ decision: 'EXTEND', nextReviewAt: new Date(DUE.getTime() + 10 * 60_000) });
  });

  it('names what failed', () => {
    expect(
      decide({ automated: automated('FAIL', 1), manual: manual('FAIL', 3), dueAt: DUE, now: AFTER_DUE }).reasons,
    ).toEqual(['CONFIG_STABLE FAIL', 'ZERO_CRITICAL_COMPLAINTS FAIL']);
  });
});

const alert = (code: string, severity: Alert['severity']): Alert => ({
  code,
  severity,
  message: `${code} ${severity}`,
  observed: null,
  expected: null,
});
let counter = 0;
const checkpoint = (overrides: Partial<PhaseCheckpoint> = {}): PhaseCheckpoint => ({
  id: `id-${++counter}`,
  label: `manual-${counter}`,
  trigger: 'manual',
  status: 'PASS',
  createdAt: '2026-02-01T07:00:00.000Z',
  alerts: [],
  evidence: {
    http_errors: { outcome: 'PASS' },
    latency: { outcome: 'INSUFFICIENT_DATA' },
    matching: { outcome: 'INSUFFICIENT_DATA' },
    determinism: { outcome: 'PASS' },
  },
  ...overrides,
});
const scheduled = (slot: Date, status = 'PASS'): PhaseCheckpoint =>
  checkpoint({
    label: `scheduled-${slot.toISOString().slice(0, 16)}Z`,
    trigger: 'scheduled',
    status,
    createdAt: new Date(slot.getTime() + 60_000).toISOString(),
  });
const slots = (count: number, skip: number[] = []) =>
  Array.from({ length: count }, (_, i) => new Date(Date.parse('2026-02-01T07:00:00Z') + i * H))
    .filter((_, i) => !skip.includes(i))
    .map((slot) => scheduled(slot));

describe('checkpoint coverage', () => {
  it.each([
    ['all 24 hours covered', slots(24), AFTER_DUE, 'PASS'],
    ['2 of 24 missed (≤ 10 %)', slots(24, [3, 9]), AFTER_DUE, 'PASS'],
    ['3 of 24 missed (> 10 %)', slots(24, [3, 9, 15]), AFTER_DUE, 'FAIL'],
    ['3 missed already at T+12h: known FAIL', slots(11, [1, 2, 3]), BEFORE_DUE, 'FAIL'],
    ['1 missed at T+12h: still PASS', slots(11, [1]), BEFORE_DUE, 'PASS'],
    ['no hour yet', [], new Date(START.getTime() + 20 * 60_000), 'INSUFFICIENT_DATA'],
  ] as const)('%s', (_name, checkpoints, now, status) => {
    expect(checkCoverage(checkpoints, START, 24 * 60, now).status).toBe(status);
  });

  it('does not count hours whose checkpoint saw no traffic, names them, and asks for more data rather than failing', () => {
    const noTraffic = { coverage: { noTraffic: true, note: 'no traffic in this window' } };
    const quiet = slots(24).map((c, i) => (i < 3 ? { ...c, evidence: noTraffic } : c));
    const criterion = checkCoverage(quiet, START, 24 * 60, AFTER_DUE);
    // A quiet night is not a failure of the watchdog: EXTEND (INSUFFICIENT_DATA), never NO_GO.
    expect(criterion.status).toBe('INSUFFICIENT_DATA');
    expect(criterion.message).toContain('saw data');
    expect(criterion.evidence).toMatchObject({ missedSlots: 3, unwatchedSlots: 0 });
    expect(criterion.evidence.noTrafficSlots).toEqual([
      '2026-02-01T07:00:00.000Z',
      '2026-02-01T08:00:00.000Z',
      '2026-02-01T09:00:00.000Z',
    ]);
    const withData = slots(24).map((c) => ({ ...c, evidence: { coverage: { noTraffic: false } } }));
    expect(checkCoverage(withData, START, 24 * 60, AFTER_DUE).status).toBe('PASS');
  });

  it('does not count ERROR or manual checkpoints', () => {
    const errored = slots(24).map((c, i) => (i < 3 ? { ...c, status: 'ERROR' } : c));
    expect(checkCoverage(errored, START, 24 * 60, AFTER_DUE).status).toBe('FAIL');
    const manualOnly = slots(24).map((c) => ({ ...c, trigger: 'manual' }));
    expect(checkCoverage(manualOnly, START, 24 * 60, AFTER_DUE).status).toBe('FAIL');
  });
});

describe('checkpoint coverage of a short phase on a fast schedule', () => {
  const SECONDS_30 = 30_000;
  const start = new Date('2026-02-01T06:00:10Z');
  const every30s = (count: number, skip: number[] = []) =>
    Array.from({ length: count }, (_, i) => new Date(Date.parse('2026-02-01T06:00:30Z') + i * SECONDS_30))
      .filter((_, i) => !skip.includes(i))
      .map((slot) => checkpoint({ label: scheduledLabel(slot), trigger: 'scheduled', createdAt: slot.toISOString() }));
  const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);

  it.each([
    ['all ten 30-second slots of a 5-minute phase covered', every30s(10), 'PASS'],
    ['one of ten missed (10 %)', every30s(10, [4]), 'PASS'],
    ['two of ten missed', every30s(10, [4, 7]), 'FAIL'],
    ['no slot yet', [], 'INSUFFICIENT_DATA'],
  ] as const)('%s', (_name, checkpoints, status) => {
    const now = checkpoints.length === 0 ? at(0.2) : at(5.2);
    const coverage = checkCoverage(checkpoints, start, 5, now, SECONDS_30);
    expect(coverage.status).toBe(status);
    expect(coverage.evidence.cadenceSeconds).toBe(30);
  });

  it('counts hours, as before, for the runbook schedule', () => {
    expect(checkCoverage(slots(24), START, 24 * 60, AFTER_DUE, 3_600_000).message).toMatch(/24 of 24 hour\(s\)/);
  });

  it.each([
    ['0 * * * *', 3_600_000],
    ['*/30 * * * * *', 30_000],
    ['*/15 * * * *', 900_000],
    ['0 6 * * *', 3_600_000],
    ['*/7 * * * *', 3_600_000],
    ['0,5 * * * *', 3_600_000],
  ])('reads the cadence of %s as %d ms', (cron, cadence) => {
    expect(coverageCadenceMs(cron)).toBe(cadence);
  });

  it('makes a 5-minute phase due 5 minutes after its start', () => {
    expect(goNoGoDueAt({ startedAt: start.toISOString(), minDurationMinutes: 5 })).toEqual(at(5));
  });
});

describe('automated criteria', () => {
  const config = { enabled: true, rolloutPercentage: 0, allowlistCount: 10, masterSwitch: null, version: 3 };
  const expected = { enabled: true, rolloutPercentage: 0, allowlistCount: 10 };
  const run = (checkpoints: PhaseCheckpoint[], current = config) =>
    Object.fromEntries(
      automatedCriteria({
        checkpoints,
        startedAt: START,
        minDurationMinutes: 24 * 60,
        now: AFTER_DUE,
        current,
        expected,
        allowlistTolerance: 1,
      }).map((c) => [c.code, c.status]),
    );

  it('passes a clean phase', () => {
    expect(run(slots(24))).toEqual({
      ERROR_5XX_NO_INCREASE: 'PASS',
      CONFIG_STABLE: 'PASS',
      NO_ROLLBACK_TRIGGERS: 'PASS',
      CHECKPOINT_COVERAGE: 'PASS',
    });
  });

  it('fails on a critical 5xx, which is also a rollback trigger', () => {
    const result = run([...slots(24), checkpoint({ status: 'FAIL', alerts: [alert('ERROR_RATE_5XX', 'CRITICAL')] })]);
    expect(result).toMatchObject({ ERROR_5XX_NO_INCREASE: 'FAIL', NO_ROLLBACK_TRIGGERS: 'FAIL' });
  });

  it('warns on a non-significant 5xx, INSUFFICIENT_DATA when no checkpoint measured', () => {
    expect(run([...slots(24), checkpoint({ alerts: [alert('ERROR_RATE_5XX', 'WARN')] })]).ERROR_5XX_NO_INCREASE).toBe(
      'WARN',
    );
    const quiet = slots(24).map((c) => ({ ...c, evidence: { http_errors: { outcome: 'INSUFFICIENT_DATA' } } }));
    expect(run(quiet).ERROR_5XX_NO_INCREASE).toBe('INSUFFICIENT_DATA');
  });

  describe('ERROR_5XX_NO_INCREASE with the check over the whole phase', () => {
    /** Scheduled slots whose evidence carries the cumulative 5xx check with `outcome`; the newest one decides. */
    const withPhase = (outcomes: string[]) =>
      slots(outcomes.length).map((c, i) => ({
        ...c,
        evidence: {
          ...c.evidence,
          error_rate_5xx_phase: { outcome: outcomes[i], pValue: 0.5, message: 'few requests' },
        },
      }));

    it('hourly 5xx WARNs do not decide when the test over the phase passes', () => {
      const phase = withPhase(Array.from({ length: 24 }, () => 'PASS'));
      const warned = [...phase.slice(0, 23), { ...phase[23], alerts: [alert('ERROR_RATE_5XX', 'WARN')] }];
      expect(run(warned).ERROR_5XX_NO_INCREASE).toBe('PASS');
    });

    it('follows the newest checkpoint’s cumulative outcome', () => {
      const phase = withPhase([...Array.from({ length: 23 }, () => 'PASS'), 'WARN']);
      phase[23] = { ...phase[23], alerts: [alert('ERROR_RATE_5XX', 'WARN')] };
      expect(run(phase).ERROR_5XX_NO_INCREASE).toBe('WARN');
    });

    it('falls back to the hourly checks when the newest could not measure over the phase (no control traffic)', () => {
      const unmeasured = withPhase(Array.from({ length: 24 }, () => 'INSUFFICIENT_DATA'));
      expect(run(unmeasured).ERROR_5XX_NO_INCREASE).toBe('PASS');
      const warned = [...unmeasured.slice(1), { ...unmeasured[0], alerts: [alert('ERROR_RATE_5XX', 'WARN')] }];
      expect(run(warned).ERROR_5XX_NO_INCREASE).toBe('WARN');
    });

    it('a dismissed CRITICAL of the test over the phase no longer fails it, and is listed', () => {
      const phase = withPhase(Array.from({ length: 24 }, () => 'FAIL'));
      const dismissed = {
        reason: 'known upstream outage',
        dismissedBy: 'admin@example.com',
        dismissedAt: '2026-02-02T08:00:00Z',
      };
      const failing = phase.map((c) => ({
        ...c,
        status: 'FAIL',
        alerts: [{ ...alert('ERROR_RATE_5XX', 'CRITICAL'), dismissed }],
      }));
      const [criterion] = automatedCriteria({
        checkpoints: failing,
        startedAt: START,
        minDurationMinutes: 24 * 60,
        now: AFTER_DUE,
        current: { enabled: true, rolloutPercentage: 0, allowlistCount: 10, masterSwitch: null, version: 3 },
        expected: { enabled: true, rolloutPercentage: 0, allowlistCount: 10 },
        allowlistTolerance: 1,
      });
      expect(criterion).toMatchObject({ code: 'ERROR_5XX_NO_INCREASE', status: 'PASS' });
      expect(criterion.message).toContain('(24 dismissed)');
    });

    it('any CRITICAL ERROR_RATE_5XX of the phase fails it, even after the newest says PASS', () => {
      const phase = withPhase(Array.from({ length: 24 }, () => 'PASS'));
      const failed = [{ ...phase[3], status: 'FAIL', alerts: [alert('ERROR_RATE_5XX', 'CRITICAL')] }, ...phase];
      expect(run(failed).ERROR_5XX_NO_INCREASE).toBe('FAIL');
    });
  });

  it('fails CONFIG_STABLE on critical drift in the past, or on the config now', () => {
    expect(run([...slots(24), checkpoint({ alerts: [alert('CONFIG_DRIFT', 'CRITICAL')] })]).CONFIG_STABLE).toBe('FAIL');
    expect(run([...slots(24), checkpoint({ alerts: [alert('CONFIG_DRIFT', 'WARN')] })]).CONFIG_STABLE).toBe('PASS');
    expect(run(slots(24), { ...config, rolloutPercentage: 5 }).CONFIG_STABLE).toBe('FAIL');
    expect(run(slots(24), { ...config, allowlistCount: 9 }).CONFIG_STABLE).toBe('WARN');
  });

  it('fails NO_ROLLBACK_TRIGGERS on ROLLBACK_EXECUTED', () => {
    expect(
      run([...slots(24), checkpoint({ alerts: [alert('ROLLBACK_EXECUTED', 'CRITICAL')] })]).NO_ROLLBACK_TRIGGERS,
    ).toBe('FAIL');
  });

  it('does not count dismissed alerts, and lists them as dismissed with who and why', () => {
    const dismissed = { reason: 'load test', dismissedBy: 'admin@example.com', dismissedAt: '2026-02-01T08:00:00Z' };
    const failing = checkpoint({
      status: 'FAIL',
      alerts: [
        { ...alert('ERROR_RATE_5XX', 'CRITICAL'), dismissed },
        { ...alert('CONFIG_DRIFT', 'CRITICAL'), dismissed },
      ],
    });
    expect(run([...slots(24), failing])).toEqual({
      ERROR_5XX_NO_INCREASE: 'PASS',
      CONFIG_STABLE: 'PASS',
      NO_ROLLBACK_TRIGGERS: 'PASS',
      CHECKPOINT_COVERAGE: 'PASS',
    });
    const triggers = checkRollbackTriggers([failing]);
    expect(triggers.message).toContain('(1 dismissed)');
    expect(triggers.evidence.dismissed).toEqual([
      expect.objectContaining({ code: 'ERROR_RATE_5XX', dismissed: expect.objectContaining({ reason: 'load test' }) }),
    ]);
  });
});

describe('checklist suggestions', () => {
  const suggest = (checkpoints: PhaseCheckpoint[], complaints = { critical: 0, minor: 0 }) =>
    Object.fromEntries(suggestChecklist(checkpoints, complaints).map((s) => [s.code, s.status]));

  it('pre-fills from the evidence: PASS where measured, INSUFFICIENT_DATA where not', () => {
    expect(suggest([checkpoint()])).toEqual({
      MATCHING_SUCCESS_RATE: 'INSUFFICIENT_DATA',
      TIME_TO_MATCH: 'INSUFFICIENT_DATA',
      API_LATENCY_P95: 'INSUFFICIENT_DATA',
      ZERO_CRITICAL_COMPLAINTS: 'PASS',
      RESOLVER_DETERMINISM: 'PASS',
    });
  });

  it('suggests WARN and FAIL from alerts and complaints', () => {
    const measured = { matching: { outcome: 'WARN' }, latency: { outcome: 'PASS' }, determinism: { outcome: 'FAIL' } };
    const alerts = [
      alert('MATCHING_SUCCESS_DROP', 'CRITICAL'),
      alert('TIME_TO_MATCH', 'WARN'),
      alert('LATENCY_P95', 'WARN'),
      alert('DETERMINISM_FAIL', 'CRITICAL'),
    ];
    expect(suggest([checkpoint({ alerts, evidence: measured })], { critical: 1, minor: 0 })).toEqual({
      MATCHING_SUCCESS_RATE: 'FAIL',
      TIME_TO_MATCH: 'WARN',
      API_LATENCY_P95: 'WARN',
      ZERO_CRITICAL_COMPLAINTS: 'FAIL',
      RESOLVER_DETERMINISM: 'FAIL',
    });
  });
});
