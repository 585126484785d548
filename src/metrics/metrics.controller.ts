import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ExcludeFromApiDocs } from '../common/exclude-from-api-docs.decorator';
import { Registry } from 'prom-client';
import { MetricsAuthGuard } from './metrics-auth.guard';
import { SignalingMetrics } from './signaling-metrics.service';

/** Prometheus scrape endpoint (text exposition format). Outside the Swagger document: see the README. */
@ExcludeFromApiDocs()
@Controller()
@UseGuards(MetricsAuthGuard)
export class MetricsController {
  constructor(private readonly metrics: SignalingMetrics) {}

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
