import { Controller, Get, Inject } from '@nestjs/common';
import { ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Public } from 'src/auth/access.decorator';
import { TelemetryService } from 'src/telemetry/telemetry.service';
import { ServiceTokensService } from 'src/auth/service-tokens.service';
import { ChangeFeedService } from 'src/change-feed/change-feed.service';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import { FlagSnapshotService } from 'src/feature-flags/flag-snapshot.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly feed: ChangeFeedService,
    private readonly snapshot: FlagSnapshotService,
    private readonly telemetry: TelemetryService,
    private readonly serviceTokens: ServiceTokensService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The process is up. */
  @Get('live')
  @Public()
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /**
   * Ready to serve: the database answers within a second and the flag snapshot is loaded.
   * 503 names what is wrong; evaluation keeps answering from the snapshot meanwhile.
   */
  @Get('ready')
  @Public()
  @HealthCheck()
  @ApiServiceUnavailableResponse({ description: 'The database is unreachable or the snapshot is not loaded.' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 1000 }),
      () => this.snapshotCheck(),
      () => this.serviceTokensCheck(),
      // Informational: telemetry commits in flight and failed ones (the database check above decides readiness).
      () => this.indicators.check('telemetry').up({ ...this.telemetry.health() }),
    ]);
  }

  /** A revoked token may still be accepted while the set is stale, so the instance is not ready. */
  private serviceTokensCheck(): HealthIndicatorResult {
    const health = this.serviceTokens.health();
    const check = this.indicators.check('serviceTokens');
    return health.stale ? check.down({ ...health }) : check.up({ ...health });
  }

  private snapshotCheck(): HealthIndicatorResult {
    const feed = this.feed.health();
    const details = {
      ...feed,
      stale: feed.lastError !== null,
      ...this.snapshot.size(),
      masterSwitchesOff: [...this.config.masterSwitchesOff].sort(),
    };
    const check = this.indicators.check('snapshot');
    return feed.loaded ? check.up(details) : check.down(details);
  }
}
