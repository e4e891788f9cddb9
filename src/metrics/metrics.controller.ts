import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { Public } from 'src/auth/access.decorator';
import { MetricsService } from 'src/metrics/metrics.service';

/**
 * Prometheus scrape endpoint (docs/adr/0007-metrics.md), outside the API (and its OpenAPI document).
 *
 * Public, like /health: it carries no subject IDs, no credentials and no flag configuration,
 * only counts by flag key, route template and status. It is meant to be scraped on the
 * internal network: the ingress / load balancer must not route /metrics from outside, or a
 * firewall must keep it internal (docs/adr/0007-metrics.md explains why there is no token).
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Public()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.exposition();
  }
}
