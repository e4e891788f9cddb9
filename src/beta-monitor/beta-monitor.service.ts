import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Actor } from 'src/auth/principal';
import { AlertOutboxService } from 'src/beta-monitor/alert-outbox.service';
import { CheckpointResponseDto, CheckpointRunDto, PhaseResponseDto } from 'src/beta-monitor/beta-monitor.dto';
import { Alert } from 'src/beta-monitor/checks';
import { CheckpointMeasurementService, Measurement } from 'src/beta-monitor/checkpoint-measurement.service';
import { CheckpointsRepository, NewCheckpoint } from 'src/beta-monitor/checkpoints.repository';
import { PhasesService } from 'src/beta-monitor/phases/phases.service';
import { AutomaticRollback, RollbackService } from 'src/beta-monitor/rollback/rollback.service';
import { isScheduledLabel } from 'src/beta-monitor/scheduled-label';
import { codesActedOn } from 'src/beta-monitor/signal-actions';
import { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';
import { AppError } from 'src/http/app-error';

export type CheckpointTrigger = CheckpointResponseDto['trigger'];

export type RunOptions = Readonly<{
  phase?: string;
  label?: string;
  trigger: CheckpointTrigger;
  triggeredBy: string;
  now?: Date;
  /** Measure and answer only: nothing stored, no alert, no automatic rollback (its causes are kept as evidence). */
  dryRun?: boolean;
}>;

/** The id a dry-run checkpoint answers with: it was never stored. */
export const DRY_RUN_ID = 'dry-run';

const WINDOW_MS = 60 * 60_000;
const NOT_MEASURED: Measurement = {
  config: null,
  metrics: null,
  determinism: null,
  evidence: null,
  alerts: [],
  status: 'ERROR',
  health: 'RED',
};

/**
 * The beta monitor dog (docs/beta-monitor.md): one checkpoint = every check over the last hour of
 * a flag's rollout phase, its evidence and verdict, stored once in `beta_monitor_checkpoints`
 * with its webhook alert, and one log line. This service orchestrates — measure, verdict, the
 * automatic rollback, store, alert — and each step belongs to another class. A checkpoint that
 * cannot measure is recorded as ERROR, never as a pass.
 */
@Injectable()
export class BetaMonitorService {
  private readonly logger = new Logger('BetaMonitor');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly flags: FeatureFlagsService,
    private readonly phases: PhasesService,
    private readonly measurement: CheckpointMeasurementService,
    private readonly rollbacks: RollbackService,
    private readonly checkpoints: CheckpointsRepository,
    private readonly outbox: AlertOutboxService,
  ) {}

  /** Runs and stores one checkpoint; null when a checkpoint with this label exists (scheduled runs). */
  async runCheckpoint(key: string, options: RunOptions): Promise<CheckpointResponseDto | null> {
    const started = performance.now();
    const now = options.now ?? new Date();
    const label = options.label ?? `${options.trigger}-${now.toISOString()}`;
    if (options.trigger !== 'scheduled' && isScheduledLabel(label)) {
      throw AppError.validation([
        { field: 'label', message: 'labels starting with scheduled- belong to the schedule' },
      ]);
    }
    await this.flags.get(key);
    const phase = await this.phases.find(key, options.phase);
    if (phase === null) {
      throw new AppError(
        409,
        'NO_ACTIVE_PHASE',
        `The flag ${key} has no started phase; name one with {"phase": "…"} or start one.`,
      );
    }
    if (!options.dryRun && (await this.checkpoints.exists(key, label)))
      return this.labelTaken(key, label, options.trigger);
    const windowStart = new Date(Math.max(now.getTime() - WINDOW_MS, Date.parse(phase.startedAt ?? '') || 0));
    let measured = NOT_MEASURED;
    let error: string | null = null;
    try {
      measured = await this.measurement.measure(key, phase, windowStart, now);
    } catch (failure) {
      this.logger.error({ err: failure, feature_key: key, phase: phase.name }, 'Beta Monitor Dog could not measure');
      error = failure instanceof Error ? failure.message : String(failure);
    }
    const causes = rollbackCauses(phase, measured);
    if (causes.length > 0 && options.dryRun) {
      measured = { ...measured, evidence: { ...measured.evidence, rollback: { causes, skipped: 'dry run' } } };
    } else if (causes.length > 0) {
      measured = withRollback(measured, await this.rollbacks.automatic(key, phase, label, causes));
    }
    const result: NewCheckpoint = {
      featureKey: key,
      phase: phase.name,
      label,
      trigger: options.trigger,
      triggeredBy: options.triggeredBy,
      windowStart: windowStart.toISOString(),
      windowEnd: now.toISOString(),
      error,
      durationMs: Math.round(performance.now() - started),
      ...measured,
    };
    if (options.dryRun) return { ...result, id: DRY_RUN_ID, createdAt: now.toISOString() };
    const checkpoint = await this.store(result);
    if (checkpoint === null) return this.labelTaken(key, label, options.trigger);
    this.log(checkpoint);
    return checkpoint;
  }

  /** A run asked for by a person (the runbook's "Executar agora"). */
  async runManual(actor: Actor, key: string, dto: CheckpointRunDto): Promise<CheckpointResponseDto> {
    const checkpoint = await this.runCheckpoint(key, { ...dto, trigger: 'manual', triggeredBy: actor.name });
    return checkpoint!;
  }

  /** The checkpoint and its alert commit together; the alert is delivered right after, not at the next tick. */
  private async store(checkpoint: NewCheckpoint): Promise<CheckpointResponseDto | null> {
    const stored = await this.dataSource.transaction(async (manager) => {
      const inserted = await this.checkpoints.insertOnce(manager, checkpoint);
      if (inserted !== null) await this.outbox.enqueue(manager, inserted.stored, inserted.previousStatus);
      return inserted?.stored ?? null;
    });
    if (stored !== null) this.outbox.kick();
    return stored;
  }

  private labelTaken(key: string, label: string, trigger: CheckpointTrigger): null {
    if (trigger === 'scheduled') return null;
    throw new AppError(409, 'CHECKPOINT_EXISTS', `The flag ${key} already has a checkpoint labelled ${label}.`);
  }

  private log(checkpoint: CheckpointResponseDto): void {
    this.logger.log(
      {
        feature_key: checkpoint.featureKey,
        phase: checkpoint.phase,
        status: checkpoint.status,
        health: checkpoint.health,
        alerts: checkpoint.alerts.map((alert) => alert.code),
        duration_ms: checkpoint.durationMs,
        checkpoint_id: checkpoint.id,
        checkpoint_label: checkpoint.label,
        trigger: checkpoint.trigger,
      },
      'Beta Monitor Dog checkpoint',
    );
  }
}

/**
 * The alert codes that make this checkpoint roll its phase back: the CRITICAL alerts whose code
 * the phase maps to `rollback` (`signalActions`, docs/adr/0017), and only while the flag is
 * still on (a flag the monitor already disabled is not rolled back again).
 */
export function rollbackCauses(phase: Pick<PhaseResponseDto, 'signalActions'>, measured: Measurement): string[] {
  const stillOn = (measured.config?.actual as { enabled?: boolean } | undefined)?.enabled === true;
  if (measured.status !== 'FAIL' || !stillOn) return [];
  return codesActedOn(phase.signalActions, measured.alerts, 'rollback');
}

/** The measurement with the rollback recorded: a ROLLBACK_EXECUTED alert and its evidence. */
function withRollback(measured: Measurement, rollback: AutomaticRollback): Measurement {
  const { causes, verified, verification } = rollback;
  const alert: Alert = {
    code: 'ROLLBACK_EXECUTED',
    severity: 'CRITICAL',
    message: `Level 1 rollback executed (flag disabled, rollout 0 %) because of ${causes.join(', ')}; ${verified ? 'verified' : 'NOT verified'} with the determinism probes.`,
    observed: { enabled: false, rolloutPercentage: 0, verification },
    expected: { enabled: false },
  };
  return {
    ...measured,
    alerts: [...measured.alerts, alert],
    evidence: { ...measured.evidence, rollback: { causes, verified, verification } },
  };
}
