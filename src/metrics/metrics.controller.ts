import { Controller, Get, Header, Headers, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { Public } from 'src/auth/access.decorator';
import { bearerMatches } from 'src/auth/bearer-secret';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import { AppError } from 'src/http/app-error';
import { MetricsService } from 'src/metrics/metrics.service';

/**
 * Prometheus scrape endpoint (docs/adr/0007-metrics.md), outside the API (and its OpenAPI document).
 *
 * It carries no subject IDs, no credentials and no flag configuration, only counts by flag key
 * (existing flags only), route template and status. With METRICS_TOKEN set, a scrape must send
 * `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time) or gets 401; unset, it is
 * open and must be kept on the internal network (docs/security.md).
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Public()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    if (this.config.metricsToken !== null && !bearerMatches(authorization, this.config.metricsToken)) {
      throw AppError.unauthenticated('This scrape needs Authorization: Bearer <METRICS_TOKEN>.');
    }
    return this.metrics.exposition();
  }
}
