import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { CronJob, CronTime } from 'cron';
import { DataSource } from 'typeorm';
import { BetaMonitorService } from 'src/beta-monitor/beta-monitor.service';
import { CheckpointsRepository } from 'src/beta-monitor/checkpoints.repository';
import { PhasesService } from 'src/beta-monitor/phases/phases.service';
import { scheduledLabel } from 'src/beta-monitor/scheduled-label';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import { ADVISORY_LOCKS } from 'src/database/advisory-locks';

const JOB = 'beta-monitor-checkpoints';

/** The latest slot of `cron` at or before `now` (looking back at most `lookbackMs`), or null. */
export function previousSlot(cron: string, now: Date, lookbackMs = 2 * 3_600_000): Date | null {
  const time = new CronTime(cron, 'UTC');
  let slot: Date | null = null;
  let next = time.getNextDateFrom(new Date(now.getTime() - lookbackMs)).toJSDate();
  for (let steps = 0; next.getTime() <= now.getTime() && steps < 100_000; steps++) {
    slot = next;
    next = time.getNextDateFrom(next).toJSDate();
  }
  return slot;
}

/**
 * Scheduled checkpoints (docs/beta-monitor-checks.md): on every slot of BETA_MONITOR_CRON, one checkpoint per flag
 * with a started phase, however many instances run. The label is deterministic per slot and
 * unique per flag; an instance runs a slot only while it holds that slot's advisory lock and no
 * checkpoint has the label yet, and the insert itself is ON CONFLICT DO NOTHING. On the embedded
 * database (one process, one connection) an in-process set does the advisory lock's job. A slot
 * missed while no instance ran is caught up once at start, not stacked.
 */
@Injectable()
export class BetaMonitorScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('BetaMonitor');
  private readonly running = new Set<string>();
  private tick: Promise<void> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: SchedulerRegistry,
    private readonly monitor: BetaMonitorService,
    private readonly phases: PhasesService,
    private readonly checkpoints: CheckpointsRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.betaMonitor.scheduleEnabled) {
      this.logger.log('Scheduled checkpoints are off (BETA_MONITOR_SCHEDULE_ENABLED=false)');
      return;
    }
    const job: CronJob = CronJob.from({
      cronTime: this.config.betaMonitor.cron,
      timeZone: 'UTC',
      onTick: (): void => void this.onTick(job.lastDate() ?? new Date()),
      start: false,
    });
    this.registry.addCronJob(JOB, job as never);
    job.start();
    const missed = previousSlot(this.config.betaMonitor.cron, new Date());
    if (missed) void this.onTick(missed);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('cron', JOB)) this.registry.deleteCronJob(JOB);
    await this.tick;
  }

  nextRunAt(): Date | null {
    if (!this.config.betaMonitor.scheduleEnabled || !this.registry.doesExist('cron', JOB)) return null;
    return this.registry.getCronJob(JOB).nextDate().toJSDate();
  }

  /** One slot: a checkpoint for every watched flag. Skipped while the previous tick still runs. */
  onTick(slot: Date): Promise<void> {
    if (this.tick) return this.tick;
    this.tick = this.runSlot(slot).finally(() => {
      this.tick = null;
    });
    return this.tick;
  }

  private async runSlot(slot: Date): Promise<void> {
    const label = scheduledLabel(slot);
    try {
      for (const key of await this.phases.activeFlags()) await this.runOnce(key, label);
    } catch (error) {
      this.logger.error({ err: error, checkpoint_label: label }, 'Scheduled checkpoints failed');
    }
  }

  private async runOnce(key: string, label: string): Promise<void> {
    const slotKey = `${key}|${label}`;
    if (this.running.has(slotKey)) return;
    this.running.add(slotKey);
    const singleConnection = this.config.databasePoolSize <= 1;
    const runner = singleConnection ? null : this.dataSource.createQueryRunner();
    const lock = [ADVISORY_LOCKS.scheduledCheckpoint, createHash('sha256').update(slotKey).digest().readInt32BE(0)];
    try {
      if (runner) {
        await runner.connect();
        const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1, $2) AS locked', lock);
        if (!locked) return;
      }
      try {
        if (await this.checkpoints.exists(key, label)) return;
        await this.monitor.runCheckpoint(key, { label, trigger: 'scheduled', triggeredBy: 'beta-monitor' });
      } catch (error) {
        this.logger.error({ err: error, feature_key: key, checkpoint_label: label }, 'Scheduled checkpoint failed');
      } finally {
        if (runner) await runner.query('SELECT pg_advisory_unlock($1, $2)', lock);
      }
    } finally {
      await runner?.release();
      this.running.delete(slotKey);
    }
  }
}
