import { Controller, Get, Inject, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { AuthenticatedRequest, Public, PublicIdentified } from 'src/auth/access.decorator';
import { bearerMatches } from 'src/auth/bearer-secret';
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
   * Ready to serve: the database answers within a second, the flag snapshot is loaded and the
   * service tokens are current. Without credentials the answer is only `{"status":"ok"}` (200)
   * or `{"status":"error"}` (503). Any valid token (a user's JWT, a service token) or
   * METRICS_TOKEN as a bearer token also gets the details: each check, the snapshot revision,
   * the active master switches, telemetry and service-token figures. Evaluation keeps answering
   * from the snapshot meanwhile.
   */
  @Get('ready')
  @PublicIdentified()
  @ApiOkResponse({ description: 'Ready: `{"status":"ok"}`, with `info` and `details` for an authenticated caller.' })
  @ApiServiceUnavailableResponse({
    description: 'Not ready: `{"status":"error"}`, naming what is down for an authenticated caller.',
  })
  async ready(
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<HealthCheckResult | Readonly<{ status: 'ok' | 'error' }>> {
    const result = await this.readiness();
    reply.status(result.status === 'ok' ? 200 : 503);
    const detailed =
      request.principal !== undefined || bearerMatches(request.headers.authorization, this.config.metricsToken);
    return detailed ? result : { status: result.status === 'ok' ? 'ok' : 'error' };
  }

  private async readiness(): Promise<HealthCheckResult> {
    try {
      return await this.checks();
    } catch (error) {
      // Terminus reports "not ready" as a 503 exception carrying the whole result.
      if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
      throw error;
    }
  }

  private checks(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.databaseCheck(),
      () => this.snapshotCheck(),
      () => this.serviceTokensCheck(),
      // Informational: telemetry commits in flight and failed ones (the database check above decides readiness).
      () => {
        const telemetry = this.telemetry.health();
        return this.indicators
          .check('telemetry')
          .up({ ...telemetry, lastError: withoutDriverText(telemetry.lastError) });
      },
    ]);
  }

  /** The driver's error text may name the database's address: it is logged, never answered. */
  private async databaseCheck(): Promise<HealthIndicatorResult> {
    const result = await this.database.pingCheck('database', { timeout: 1000 });
    if (result.database?.status === 'up') return result;
    return this.indicators.check('database').down({ message: 'The database did not answer within 1 s.' });
  }

  /** A revoked token may still be accepted while the set is stale, so the instance is not ready. */
  private serviceTokensCheck(): HealthIndicatorResult {
    const health = { ...this.serviceTokens.health() };
    health.lastError = withoutDriverText(health.lastError);
    const check = this.indicators.check('serviceTokens');
    return health.stale ? check.down({ ...health }) : check.up({ ...health });
  }

  private snapshotCheck(): HealthIndicatorResult {
    const feed = this.feed.health();
    const details = {
      ...feed,
      lastError: withoutDriverText(feed.lastError),
      stale: feed.lastError !== null,
      ...this.snapshot.size(),
      masterSwitchesOff: [...this.config.masterSwitchesOff].sort(),
    };
    const check = this.indicators.check('snapshot');
    return feed.loaded ? check.up(details) : check.down(details);
  }
}

/** Driver errors can name the database's host and port; the logs keep the full text. */
function withoutDriverText(lastError: string | null): string | null {
  return lastError === null ? null : 'The last read from the database failed (the log has the cause).';
}
