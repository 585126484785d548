import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { MetricsAuthGuard } from './metrics-auth.guard';
import { SignalingMetrics } from './signaling-metrics.service';

/** Prometheus scrape endpoint (text exposition format). Outside the Swagger document: see the README. */
@ApiExcludeController()
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
