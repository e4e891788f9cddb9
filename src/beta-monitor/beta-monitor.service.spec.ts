import type { DataSource, EntityManager } from 'typeorm';
import { AlertOutboxService } from 'src/beta-monitor/alert-outbox.service';
import type { AlertPayload } from 'src/beta-monitor/alerts';
import type { CheckpointResponseDto, PhaseResponseDto } from 'src/beta-monitor/beta-monitor.dto';
import { BetaMonitorService } from 'src/beta-monitor/beta-monitor.service';
import type { Alert, CheckpointStatus } from 'src/beta-monitor/checks';
import type { CheckpointMeasurementService, Measurement } from 'src/beta-monitor/checkpoint-measurement.service';
import type { CheckpointsRepository, NewCheckpoint } from 'src/beta-monitor/checkpoints.repository';
import type { PhasesService } from 'src/beta-monitor/phases/phases.service';
import type { AutomaticRollback, RollbackService } from 'src/beta-monitor/rollback/rollback.service';
import type { AppConfig } from 'src/config/app-config';
import type { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';
import { AppError } from 'src/http/app-error';
import { signalActionsOf } from 'src/beta-monitor/signal-actions';

const KEY = 'passenger_favorites_matching';
const NOW = new Date('2026-02-01T06:00:00Z');
const PHASE: PhaseResponseDto = {
  name: 'phase1_beta',
  position: 0,
  expected: { enabled: true, rolloutPercentage: 0, allowlistCount: 10 },
  allowlistTolerance: 1,
  determinismProbes: [{ subjectId: 'pass_beta_001_2026', inAllowlist: true }],
  minDurationHours: 24,
  minDurationMinutes: 24 * 60,
  autoRollback: true,
  signalActions: signalActionsOf({ autoRollback: true }),
  thresholds: {},
  startedAt: '2026-02-01T05:04:00.000Z',
  startedBy: 'admin@example.com',
  baseline: null,
};
const FIVE_XX: Alert = {
  code: 'ERROR_RATE_5XX',
  severity: 'CRITICAL',
  message: '5xx above baseline',
  observed: { rate5xx: 0.2 },
  expected: null,
};
const LATENCY: Alert = {
  code: 'LATENCY_P95',
  severity: 'WARN',
  message: 'p95 approaching',
  observed: null,
  expected: null,
};

/** The flag as the fakes see it: the measurement reads `enabled`, the rollback turns it off. */
type World = {
  enabled: boolean;
  rollbacks: string[][];
  outbox: AlertPayload[];
  stored: CheckpointResponseDto[];
  measure: () => Measurement;
};

function measured(status: CheckpointStatus, alerts: Alert[], world: World): Measurement {
  const health = status === 'PASS' ? 'GREEN' : status === 'WARN' ? 'YELLOW' : 'RED';
  return {
    status,
    health,
    alerts,
    config: { actual: { enabled: world.enabled } },
    metrics: {},
    determinism: {},
    evidence: {},
    coverage: null,
  };
}

function setUp(phase: PhaseResponseDto = PHASE) {
  const world: World = {
    enabled: true,
    rollbacks: [],
    outbox: [],
    stored: [],
    measure: () => measured('PASS', [], world),
  };
  const manager = {
    query: async (sql: string, parameters: unknown[]) => {
      if (sql.includes('alert_outbox')) world.outbox.push(JSON.parse(parameters[2] as string) as AlertPayload);
      return [];
    },
  } as unknown as EntityManager;
  const dataSource = {
    transaction: <T>(work: (m: EntityManager) => Promise<T>) => work(manager),
  } as unknown as DataSource;
  const flags: Pick<FeatureFlagsService, 'get'> = {
    get: async (key) => {
      if (key !== KEY) throw AppError.notFound('FLAG_NOT_FOUND', `No flag with the key ${key}.`);
      return {} as Awaited<ReturnType<FeatureFlagsService['get']>>;
    },
  };
  const phases: Pick<PhasesService, 'find'> = { find: async () => phase };
  const measurement: Pick<CheckpointMeasurementService, 'measure'> = { measure: async () => world.measure() };
  const rollbacks: Pick<RollbackService, 'automatic'> = {
    automatic: async (_key, _phase, _label, causes): Promise<AutomaticRollback> => {
      world.enabled = false;
      world.rollbacks.push(causes);
      return { causes, verified: true, verification: [] };
    },
  };
  const checkpoints: Pick<CheckpointsRepository, 'exists' | 'insertOnce'> = {
    exists: async (key, label) => world.stored.some((c) => c.featureKey === key && c.label === label),
    insertOnce: async (_manager, checkpoint: NewCheckpoint) => {
      if (world.stored.some((c) => c.label === checkpoint.label)) return null;
      const previousStatus = world.stored.at(-1)?.status ?? null;
      const stored = {
        ...checkpoint,
        id: `00000000-0000-4000-8000-${String(world.stored.length).padStart(12, '0')}`,
        createdAt: NOW.toISOString(),
      };
      world.stored.push(stored);
      return { stored, previousStatus };
    },
  };
  const config = { alertWebhook: { url: null, secret: null } } as unknown as AppConfig;
  const outbox = new AlertOutboxService(dataSource, config);
  const service = new BetaMonitorService(
    dataSource,
    flags as FeatureFlagsService,
    phases as PhasesService,
    measurement as CheckpointMeasurementService,
    rollbacks as RollbackService,
    checkpoints as CheckpointsRepository,
    outbox,
  );
  const run = (label: string, trigger: 'scheduled' | 'manual' = 'scheduled') =>
    service.runCheckpoint(KEY, { label, trigger, triggeredBy: 'test', now: NOW });
  return { world, service, run };
}

describe('BetaMonitorService.runCheckpoint', () => {
  it('stores a checkpoint that could not measure as ERROR/RED with the reason, and queues its alert', async () => {
    const { world, run } = setUp();
    world.measure = () => {
      throw new Error('telemetry unreachable');
    };
    const checkpoint = await run('scheduled-2026-02-01T06:00Z');
    expect(checkpoint).toMatchObject({ status: 'ERROR', health: 'RED', error: 'telemetry unreachable', alerts: [] });
    expect(world.stored.map((c) => c.status)).toEqual(['ERROR']);
    expect(world.outbox.map((alert) => [alert.reason, alert.status])).toEqual([['ERROR', 'ERROR']]);
  });

  it('rolls an opted-in phase back once: the next FAIL finds the flag off and does not roll back again', async () => {
    const { world, run } = setUp();
    world.measure = () => measured('FAIL', [FIVE_XX], world);
    const first = await run('scheduled-2026-02-01T06:00Z');
    const second = await run('scheduled-2026-02-01T07:00Z');
    expect(world.rollbacks).toEqual([['ERROR_RATE_5XX']]);
    expect(first!.alerts.map((alert) => alert.code)).toEqual(['ERROR_RATE_5XX', 'ROLLBACK_EXECUTED']);
    expect(first!.evidence).toMatchObject({ rollback: { causes: ['ERROR_RATE_5XX'], verified: true } });
    expect(second!.alerts.map((alert) => alert.code)).toEqual(['ERROR_RATE_5XX']);
  });

  it('does not roll back a phase without autoRollback, nor on a FAIL without a rollback trigger', async () => {
    const manual = setUp({ ...PHASE, autoRollback: false, signalActions: signalActionsOf({ autoRollback: false }) });
    manual.world.measure = () => measured('FAIL', [FIVE_XX], manual.world);
    await manual.run('scheduled-2026-02-01T06:00Z');
    const drift = setUp();
    drift.world.measure = () => measured('FAIL', [{ ...FIVE_XX, code: 'CONFIG_DRIFT' }], drift.world);
    await drift.run('scheduled-2026-02-01T06:00Z');
    expect([manual.world.enabled, drift.world.enabled]).toEqual([true, true]);
  });

  it('follows the phase’s signal actions: ERROR_RATE_5XX → notify does not roll back, LATENCY_P95 → rollback does', async () => {
    const notify = setUp({
      ...PHASE,
      signalActions: signalActionsOf({ autoRollback: true, signalActions: { ERROR_RATE_5XX: 'notify' } }),
    });
    notify.world.measure = () => measured('FAIL', [FIVE_XX], notify.world);
    await notify.run('scheduled-2026-02-01T06:00Z');
    const latency = setUp({ ...PHASE, signalActions: signalActionsOf({ signalActions: { LATENCY_P95: 'rollback' } }) });
    latency.world.measure = () => measured('FAIL', [{ ...LATENCY, severity: 'CRITICAL' }], latency.world);
    await latency.run('scheduled-2026-02-01T06:00Z');
    expect([notify.world.rollbacks, latency.world.rollbacks]).toEqual([[], [['LATENCY_P95']]]);
  });

  it('answers null for a scheduled slot that already has its checkpoint, and 409 CHECKPOINT_EXISTS for a manual label', async () => {
    const { world, run } = setUp();
    expect(await run('scheduled-2026-02-01T06:00Z')).not.toBeNull();
    expect(await run('scheduled-2026-02-01T06:00Z')).toBeNull();
    await run('before-release', 'manual');
    await expect(run('before-release', 'manual')).rejects.toMatchObject({ code: 'CHECKPOINT_EXISTS' });
    expect(world.stored).toHaveLength(2);
  });

  it('refuses a manual label in the schedule’s namespace', async () => {
    const { world, run } = setUp();
    await expect(run('scheduled-2026-02-01T06:00Z', 'manual')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(world.stored).toHaveLength(0);
  });

  it('queues one alert per change of status: a first PASS is silent, PASS → WARN alerts once, WARN → WARN is silent', async () => {
    const { world, run } = setUp();
    await run('scheduled-2026-02-01T06:00Z');
    await run('scheduled-2026-02-01T07:00Z');
    world.measure = () => measured('WARN', [LATENCY], world);
    await run('scheduled-2026-02-01T08:00Z');
    await run('scheduled-2026-02-01T09:00Z');
    expect(world.outbox.map((alert) => [alert.label, alert.reason, alert.previousStatus, alert.status])).toEqual([
      ['scheduled-2026-02-01T08:00Z', 'STATUS_CHANGE', 'PASS', 'WARN'],
    ]);
  });

  it('uses the fixed clock for the window: the last hour, never before the phase started', async () => {
    const { run } = setUp();
    const checkpoint = await run('scheduled-2026-02-01T06:00Z');
    expect([checkpoint!.windowStart, checkpoint!.windowEnd]).toEqual([
      '2026-02-01T05:04:00.000Z',
      '2026-02-01T06:00:00.000Z',
    ]);
  });
});
