import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from 'src/audit/audit.service';
import { Actor, Principal } from 'src/auth/principal';
import { PhaseDto, PhaseListResponseDto, PhaseResponseDto, PhasesReplaceDto } from 'src/beta-monitor/beta-monitor.dto';
import { signalActionErrors, signalActionsOf } from 'src/beta-monitor/signal-actions';
import { TelemetryService } from 'src/telemetry/telemetry.service';
import { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';
import { FlagReadModel } from 'src/feature-flags/flag-read-model';
import { AppError } from 'src/http/app-error';

type PhaseRow = {
  name: string;
  position: number;
  definition: PhaseDto;
  started_at: Date | null;
  started_by: string | null;
  baseline_json: Record<string, unknown> | null;
};

const BASELINE_HOURS = 24;

/** A flag's rollout phases (docs/beta-monitor.md): their expected config, probes, and when each started. */
@Injectable()
export class PhasesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly flags: FeatureFlagsService,
    private readonly flagsRead: FlagReadModel,
    private readonly telemetry: TelemetryService,
    private readonly audit: AuditService,
  ) {}

  async list(key: string): Promise<PhaseListResponseDto> {
    await this.flags.get(key);
    const items = (await this.rows(key)).map(toView);
    return { items, active: activeOf(items)?.name ?? null };
  }

  /** The phase to monitor: the named one, or the one started last. */
  async find(key: string, name?: string): Promise<PhaseResponseDto | null> {
    const items = (await this.rows(key)).map(toView);
    if (name === undefined) return activeOf(items);
    const phase = items.find((item) => item.name === name);
    if (!phase)
      throw AppError.notFound('PHASE_NOT_FOUND', `The flag ${key} has no phase ${name}; define it with PUT …/phases.`);
    return phase;
  }

  /** Every flag with a started phase: the ones the schedule watches. */
  async activeFlags(): Promise<string[]> {
    const rows: { feature_key: string }[] = await this.dataSource.query(
      `SELECT DISTINCT feature_key FROM beta_monitor_phases WHERE started_at IS NOT NULL ORDER BY feature_key`,
    );
    return this.flagsRead.liveKeys(rows.map((row) => row.feature_key));
  }

  /** Replaces the phase list; phases that keep their name keep their start and baseline. */
  async replace(actor: Actor, key: string, dto: PhasesReplaceDto): Promise<PhaseListResponseDto> {
    const names = dto.phases.map((phase) => phase.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate) throw AppError.validation([{ field: 'phases', message: `phase ${duplicate} appears twice` }]);
    const badActions = dto.phases.flatMap((phase, index) =>
      phase.signalActions === undefined
        ? []
        : signalActionErrors(phase.signalActions).map(({ code, message }) => ({
            field: `phases.${index}.signalActions${code ? `.${code}` : ''}`,
            message,
          })),
    );
    if (badActions.length > 0) throw AppError.validation(badActions);
    await this.dataSource.transaction(async (manager) => {
      await this.flags.lockForChange(manager, key);
      const before = await manager.query(
        `SELECT name, definition FROM beta_monitor_phases WHERE feature_key = $1 ORDER BY position`,
        [key],
      );
      await manager.query(`DELETE FROM beta_monitor_phases WHERE feature_key = $1 AND NOT (name = ANY($2::text[]))`, [
        key,
        names,
      ]);
      for (const [position, phase] of dto.phases.entries()) {
        await manager.query(
          `INSERT INTO beta_monitor_phases (feature_key, name, position, definition) VALUES ($1, $2, $3, $4)
           ON CONFLICT (feature_key, name) DO UPDATE SET position = EXCLUDED.position, definition = EXCLUDED.definition`,
          [key, phase.name, position, withDefaults(phase)],
        );
      }
      await this.audit.record(manager, actor, {
        action: 'phases.replaced',
        featureKey: key,
        before: { phases: before },
        after: { phases: dto.phases.map(withDefaults) },
        reason: dto.reason,
      });
    });
    return this.list(key);
  }

  /**
   * Starts a phase: applies its expected enabled/rollout (audited, as the starter), records the
   * pre-phase baseline (the last 24 h of control traffic) and starts its clock.
   */
  async start(
    principal: Principal,
    actor: Actor,
    key: string,
    name: string,
    reason?: string,
  ): Promise<PhaseResponseDto> {
    const phase = await this.find(key, name);
    if (phase === null) throw AppError.notFound('PHASE_NOT_FOUND', `No phase ${name}.`);
    const now = new Date();
    const window = await this.telemetry.window(key, new Date(now.getTime() - BASELINE_HOURS * 3_600_000), now);
    const baseline = {
      source: 'control traffic, 24 h before the start',
      from: new Date(now.getTime() - BASELINE_HOURS * 3_600_000).toISOString(),
      to: now.toISOString(),
      ...window.off,
    };
    const why = reason ?? `start phase ${name}`;
    await this.flags.update(principal, actor, key, {
      enabled: phase.expected.enabled,
      rolloutPercentage: phase.expected.rolloutPercentage,
      reason: why,
    });
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE beta_monitor_phases SET started_at = $3, started_by = $4, baseline_json = $5 WHERE feature_key = $1 AND name = $2`,
        [key, name, now, actor.name, baseline],
      );
      await this.audit.record(manager, actor, {
        action: 'phase.started',
        featureKey: key,
        after: { phase: name, startedAt: now.toISOString(), baseline },
        reason: why,
      });
    });
    return (await this.find(key, name))!;
  }

  private rows(key: string): Promise<PhaseRow[]> {
    return this.dataSource.query(
      `SELECT name, position, definition, started_at, started_by, baseline_json FROM beta_monitor_phases WHERE feature_key = $1 ORDER BY position`,
      [key],
    );
  }
}

/** The runbook's phases last at least 24 hours. */
const DEFAULT_PHASE_HOURS = 24;

/** The definition as stored: defaults filled in, `signalActions` only as the phase chose them (defaults apply on read). */
function withDefaults(phase: PhaseDto): Required<Omit<PhaseDto, 'thresholds'>> & Pick<PhaseDto, 'thresholds'> {
  const minutes = phase.minDurationMinutes ?? (phase.minDurationHours ?? DEFAULT_PHASE_HOURS) * 60;
  return {
    name: phase.name,
    expected: { ...phase.expected },
    allowlistTolerance: phase.allowlistTolerance ?? 1,
    determinismProbes: (phase.determinismProbes ?? []).map((probe) => ({ ...probe })),
    minDurationHours: minutes / 60,
    minDurationMinutes: minutes,
    autoRollback: phase.autoRollback ?? false,
    signalActions: { ...phase.signalActions },
    thresholds: { ...phase.thresholds },
  };
}

function toView(row: PhaseRow): PhaseResponseDto {
  const definition = withDefaults(row.definition);
  return {
    ...definition,
    signalActions: signalActionsOf(definition),
    thresholds: definition.thresholds ?? {},
    position: row.position,
    startedAt: row.started_at ? new Date(row.started_at).toISOString() : null,
    startedBy: row.started_by,
    baseline: row.baseline_json,
  };
}

function activeOf(phases: PhaseResponseDto[]): PhaseResponseDto | null {
  return (
    phases.filter((phase) => phase.startedAt !== null).sort((a, b) => b.startedAt!.localeCompare(a.startedAt!))[0] ??
    null
  );
}
