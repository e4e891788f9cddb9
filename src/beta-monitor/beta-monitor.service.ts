import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from 'src/audit/audit.service';
import { Actor, Principal } from 'src/auth/principal';
import {
  BetaMonitorStatusResponseDto,
  CheckpointListQueryDto,
  CheckpointListResponseDto,
  CheckpointResponseDto,
  CheckpointRunDto,
  PhaseResponseDto,
} from 'src/beta-monitor/beta-monitor.dto';
import {
  Alert,
  CheckResult,
  checkComplaints,
  checkConfig,
  checkDeterminism,
  checkHttpErrors,
  checkLatency,
  checkMatching,
  verdict,
} from 'src/beta-monitor/checks';
import { AlertOutboxService } from 'src/beta-monitor/alert-outbox.service';
import { CheckpointsRepository, NewCheckpoint } from 'src/beta-monitor/checkpoints.repository';
import { ComplaintsService } from 'src/beta-monitor/complaints.service';
import { PhasesService } from 'src/beta-monitor/phases/phases.service';
import { TelemetryService } from 'src/telemetry/telemetry.service';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';
import { FlagRequestCounter } from 'src/feature-flags/flag-request-counter';
import { FlagSnapshotService } from 'src/feature-flags/flag-snapshot.service';
import { Evaluation, evaluate } from 'src/feature-flags/resolver';
import { AppError } from 'src/http/app-error';

export type CheckpointTrigger = CheckpointResponseDto['trigger'];

export type RunOptions = Readonly<{
  phase?: string;
  label?: string;
  trigger: CheckpointTrigger;
  triggeredBy: string;
  now?: Date;
}>;

const WINDOW_MS = 60 * 60_000;
/** Flag changes that can explain config drift. */
const CONFIG_ACTIONS = new Set(['flag.updated', 'flag.archived', 'allowlist.added', 'allowlist.removed', 'allowlist.cleared']);
/** Alerts that make an opted-in phase roll itself back (DESIGN §6). */
const ROLLBACK_CODES = new Set(['ERROR_RATE_5XX', 'DETERMINISM_FAIL', 'CRITICAL_COMPLAINT']);
const MONITOR: Principal = { kind: 'service', id: 'beta-monitor', name: 'beta-monitor', role: 'OPERATOR' };

type Measurement = Pick<NewCheckpoint, 'config' | 'metrics' | 'determinism' | 'evidence' | 'alerts' | 'status' | 'health'>;

/**
 * The beta monitor dog (DESIGN §6): one checkpoint = every check over a window of a flag's
 * rollout phase, its evidence and verdict, persisted once in `beta_monitor_checkpoints`, and one
 * log line. A checkpoint that cannot measure is recorded as ERROR, never as a pass.
 */
@Injectable()
export class BetaMonitorService {
  private readonly logger = new Logger('BetaMonitor');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly flags: FeatureFlagsService,
    private readonly snapshot: FlagSnapshotService,
    private readonly counter: FlagRequestCounter,
    private readonly phases: PhasesService,
    private readonly telemetry: TelemetryService,
    private readonly complaints: ComplaintsService,
    private readonly checkpoints: CheckpointsRepository,
    private readonly audit: AuditService,
    private readonly alertOutbox: AlertOutboxService,
  ) {}

  /** Runs and stores one checkpoint; null when a checkpoint with this label exists (scheduled runs). */
  async runCheckpoint(key: string, options: RunOptions): Promise<CheckpointResponseDto | null> {
    const started = performance.now();
    const now = options.now ?? new Date();
    const label = options.label ?? `${options.trigger}-${now.toISOString()}`;
    if (options.trigger !== 'scheduled' && label.startsWith('scheduled-')) {
      throw AppError.validation([{ field: 'label', message: 'labels starting with scheduled- belong to the schedule' }]);
    }
    await this.flags.get(key);
    const phase = await this.phases.find(key, options.phase);
    if (phase === null) {
      throw new AppError(409, 'NO_ACTIVE_PHASE', `The flag ${key} has no started phase; name one with {"phase": "…"} or start one.`);
    }
    if (await this.checkpoints.exists(key, label)) {
      if (options.trigger === 'scheduled') return null;
      throw new AppError(409, 'CHECKPOINT_EXISTS', `The flag ${key} already has a checkpoint labelled ${label}.`);
    }
    const windowEnd = now;
    const windowStart = new Date(Math.max(now.getTime() - WINDOW_MS, Date.parse(phase.startedAt ?? '') || 0));
    let measured: Measurement;
    let error: string | null = null;
    try {
      measured = await this.measure(key, phase, windowStart, windowEnd);
    } catch (failure) {
      this.logger.error({ err: failure, feature_key: key, phase: phase.name }, 'Beta Monitor Dog could not measure');
      error = failure instanceof Error ? failure.message : String(failure);
      measured = { config: null, metrics: null, determinism: null, evidence: null, alerts: [], status: 'ERROR', health: 'RED' };
    }
    // Only while the flag is still on: a flag the monitor already disabled is not rolled back again.
    const rollback =
      phase.autoRollback &&
      measured.status === 'FAIL' &&
      (measured.config?.actual as { enabled?: boolean } | undefined)?.enabled === true &&
      measured.alerts.some((alert) => ROLLBACK_CODES.has(alert.code));
    if (rollback) measured = await this.rollBack(key, phase, label, measured);
    const checkpoint = await this.checkpoints.insertOnce({
      featureKey: key,
      phase: phase.name,
      label,
      trigger: options.trigger,
      triggeredBy: options.triggeredBy,
      windowStart: windowStart.toISOString(),
      windowEnd: windowEnd.toISOString(),
      error,
      durationMs: Math.round(performance.now() - started),
      ...measured,
    });
    if (checkpoint === null) {
      if (options.trigger === 'scheduled') return null;
      throw new AppError(409, 'CHECKPOINT_EXISTS', `The flag ${key} already has a checkpoint labelled ${label}.`);
    }
    // Its alert, if any, was committed with it (alerts out, DESIGN §6): deliver it now, not at the next tick.
    this.alertOutbox.kick();
    this.logger.log(
      {
        feature_key: key,
        phase: phase.name,
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
    return checkpoint;
  }

  /** A run asked for by a person (the runbook's "Executar agora"). */
  async runManual(actor: Actor, key: string, dto: CheckpointRunDto): Promise<CheckpointResponseDto> {
    const checkpoint = await this.runCheckpoint(key, { ...dto, trigger: 'manual', triggeredBy: actor.name });
    return checkpoint!;
  }

  list(key: string, query: CheckpointListQueryDto): Promise<CheckpointListResponseDto> {
    return this.flags.get(key).then(() => this.checkpoints.list(key, query));
  }

  get(key: string, id: string): Promise<CheckpointResponseDto> {
    return this.checkpoints.findById(key, id);
  }

  async status(key: string, nextScheduledRunAt: Date | null): Promise<BetaMonitorStatusResponseDto> {
    await this.flags.get(key);
    const [latest, phase] = await Promise.all([this.checkpoints.latest(key), this.phases.find(key)]);
    const due = phase?.startedAt ? new Date(Date.parse(phase.startedAt) + phase.minDurationHours * 3_600_000) : null;
    return {
      featureKey: key,
      health: latest?.health ?? null,
      latest,
      phase,
      nextScheduledRunAt: phase && nextScheduledRunAt ? nextScheduledRunAt.toISOString() : null,
      goNoGoDueAt: due?.toISOString() ?? null,
    };
  }

  private async measure(key: string, phase: PhaseResponseDto, from: Date, to: Date): Promise<Measurement> {
    const flag = await this.flags.get(key);
    const actual = {
      enabled: flag.enabled,
      rolloutPercentage: flag.rolloutPercentage,
      allowlistCount: flag.allowlistCount,
      masterSwitch: flag.masterSwitch,
      version: flag.version,
    };
    const since = phase.startedAt ? new Date(phase.startedAt) : from;
    const changes = (await this.audit.eventsSince(key, since)).filter((event) => CONFIG_ACTIONS.has(event.action));
    const determinism = await this.probe(key, phase);
    await this.telemetry.flush();
    const window = await this.telemetry.window(key, from, to);
    const prePhase = (phase.baseline ?? null) as { http?: typeof window.off.http; latencyP95?: number | null; matching?: typeof window.off.matching } | null;
    const complaints = await this.complaints.between(key, from, to);
    const controlHasTraffic = window.off.http.total >= 100;
    const results: CheckResult[] = [
      checkConfig({ actual, expected: phase.expected, allowlistTolerance: phase.allowlistTolerance, changes }),
      checkDeterminism(phase.determinismProbes, determinism),
      checkHttpErrors({
        treatment: window.on.http,
        control: window.off.http,
        prePhase: prePhase?.http ?? null,
        thresholds: phase.thresholds,
      }),
      checkLatency({
        treatmentP95: window.on.latencyP95,
        baselineP95: controlHasTraffic ? window.off.latencyP95 : (prePhase?.latencyP95 ?? null),
        treatmentCount: window.on.http.total,
        thresholds: phase.thresholds,
      }),
      checkComplaints(complaints.map((complaint) => ({ ...complaint, at: complaint.createdAt }))),
      checkMatching({
        treatment: window.on.matching,
        baseline: window.off.matching.total > 0 ? window.off.matching : (prePhase?.matching ?? null),
      }),
    ];
    const { status, health } = verdict(results);
    return {
      status,
      health,
      alerts: results.flatMap((result) => result.alerts),
      config: { actual, expected: phase.expected, allowlistTolerance: phase.allowlistTolerance },
      determinism: { probes: determinism },
      metrics: {
        featureFlagRequests: this.counter.total(key, from, to),
        http: { treatment: window.on.http, control: window.off.http },
        latencyP95Ms: { treatment: window.on.latencyP95, control: window.off.latencyP95 },
        matching: { treatment: window.on.matching, control: window.off.matching },
        complaints: complaints.length,
      },
      evidence: Object.fromEntries(results.map((result) => [result.name, { outcome: result.outcome, ...result.evidence }])),
    };
  }

  /**
   * Each probe through the live resolver twice (the in-memory snapshot, as evaluation answers)
   * and once from a fresh database read, so a snapshot that drifted from the database shows.
   */
  private async probe(key: string, phase: PhaseResponseDto): Promise<{ subjectId: string; live: Evaluation[]; fresh: Evaluation | null }[]> {
    const masterSwitchOff = this.config.masterSwitchesOff.has(key);
    const results = [];
    for (const { subjectId } of phase.determinismProbes) {
      const live = [0, 1].map(() => evaluate(this.snapshot.get(key), subjectId, masterSwitchOff));
      const rows: { enabled: boolean; rollout_basis_points: number; version: number; archived: boolean; listed: boolean }[] =
        await this.dataSource.query(
          `SELECT f.enabled, f.rollout_basis_points, f.version, f.archived_at IS NOT NULL AS archived,
                  EXISTS (SELECT 1 FROM allowlist_entries a WHERE a.feature_key = f.key AND a.subject_id = $2) AS listed
           FROM feature_flags f WHERE f.key = $1`,
          [key, subjectId],
        );
      const row = rows[0];
      const fresh = row
        ? evaluate(
            {
              key,
              enabled: row.enabled,
              rolloutBasisPoints: row.rollout_basis_points,
              version: row.version,
              archived: row.archived,
              allowlist: new Set(row.listed ? [subjectId] : []),
            },
            subjectId,
            masterSwitchOff,
          )
        : null;
      results.push({ subjectId, live, fresh });
    }
    return results;
  }

  /** Level 1 (disable), verified with the probes, recorded in the checkpoint and the audit log. */
  private async rollBack(key: string, phase: PhaseResponseDto, label: string, measured: Measurement): Promise<Measurement> {
    const actor = { name: 'beta-monitor', role: 'SYSTEM', requestId: null };
    const causes = [...new Set(measured.alerts.filter((alert) => ROLLBACK_CODES.has(alert.code)).map((alert) => alert.code))];
    await this.flags.update(MONITOR, actor, key, { enabled: false, rolloutPercentage: 0, reason: `automatic Level 1 rollback: ${causes.join(', ')}` });
    const verification = phase.determinismProbes.map(({ subjectId }) => ({
      subjectId,
      answer: evaluate(this.snapshot.get(key), subjectId, this.config.masterSwitchesOff.has(key)),
    }));
    const verified = verification.every(({ answer }) => !answer.enabled);
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, actor, {
        action: 'rollback.executed',
        featureKey: key,
        after: { level: 1, mode: 'disable', phase: phase.name, checkpointLabel: label, causes, verified },
        reason: `ROLLBACK_EXECUTED by the beta monitor, checkpoint ${label}: ${causes.join(', ')}`,
      }),
    );
    const alert: Alert = {
      code: 'ROLLBACK_EXECUTED',
      severity: 'CRITICAL',
      message: `Level 1 rollback executed (flag disabled, rollout 0 %) because of ${causes.join(', ')}; ${verified ? 'verified' : 'NOT verified'} with the determinism probes.`,
      observed: { enabled: false, rolloutPercentage: 0, verification },
      expected: { enabled: false },
    };
    return { ...measured, alerts: [...measured.alerts, alert], evidence: { ...measured.evidence, rollback: { causes, verified, verification } } };
  }
}
