import { Inject, Injectable } from '@nestjs/common';
import {
  BetaMonitorStatusResponseDto,
  PhaseResponseDto,
  CheckpointListQueryDto,
  CheckpointListResponseDto,
  CheckpointResponseDto,
} from 'src/beta-monitor/beta-monitor.dto';
import { CheckpointStatus } from 'src/beta-monitor/checks';
import { CheckpointsRepository } from 'src/beta-monitor/checkpoints.repository';
import { goNoGoDueAt } from 'src/beta-monitor/go-no-go/go-no-go';
import { PhasesService } from 'src/beta-monitor/phases/phases.service';
import { Hold, activeHolds } from 'src/beta-monitor/signal-actions';
import { coverageCadenceMs } from 'src/beta-monitor/scheduled-label';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';

/** Stored checkpoints as the API, the go/no-go and /metrics read them. */
@Injectable()
export class CheckpointsService {
  constructor(
    private readonly flags: FeatureFlagsService,
    private readonly phases: PhasesService,
    private readonly checkpoints: CheckpointsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** How often scheduled checkpoints run, as the go/no-go's coverage counts them. */
  coverageCadenceMs(): number {
    return coverageCadenceMs(this.config.betaMonitor.cron);
  }

  async list(key: string, query: CheckpointListQueryDto): Promise<CheckpointListResponseDto> {
    await this.flags.get(key);
    return this.checkpoints.list(key, query);
  }

  get(key: string, id: string): Promise<CheckpointResponseDto> {
    return this.checkpoints.findById(key, id);
  }

  /** A phase's checkpoints since its (latest) start, oldest first. */
  ofPhase(key: string, phase: string, since: Date): Promise<CheckpointResponseDto[]> {
    return this.checkpoints.ofPhase(key, phase, since);
  }

  /** Every watched flag (a started phase) with its latest checkpoint's status, null before the first. */
  async latestStatuses(): Promise<{ key: string; status: CheckpointStatus | null }[]> {
    const statuses = [];
    for (const key of await this.phases.activeFlags()) {
      statuses.push({ key, status: (await this.checkpoints.latest(key))?.status ?? null });
    }
    return statuses;
  }

  async status(key: string, nextScheduledRunAt: Date | null): Promise<BetaMonitorStatusResponseDto> {
    await this.flags.get(key);
    const [latest, phase] = await Promise.all([this.checkpoints.latest(key), this.phases.find(key)]);
    const holds = phase ? await this.holds(key, phase) : [];
    return {
      featureKey: key,
      health: latest?.health ?? null,
      healthNote: latest?.coverage?.note ?? null,
      latest,
      phase,
      nextScheduledRunAt: phase && nextScheduledRunAt ? nextScheduledRunAt.toISOString() : null,
      goNoGoDueAt: phase?.startedAt
        ? goNoGoDueAt({ startedAt: phase.startedAt, minDurationMinutes: phase.minDurationMinutes }).toISOString()
        : null,
      holds,
    };
  }

  /** The phase's active holds, from its latest checkpoint that measured (signal-actions.ts). */
  async holds(key: string, phase: PhaseResponseDto): Promise<Hold[]> {
    if (phase.startedAt === null) return [];
    const latest = await this.checkpoints.latestMeasured(key, phase.name, new Date(phase.startedAt));
    return activeHolds(phase.signalActions, latest ? [latest] : []);
  }
}
