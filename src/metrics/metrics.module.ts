import { DynamicModule, Module } from '@nestjs/common';
import { MetricsAuthGuard } from './metrics-auth.guard';
import { METRICS_OPTIONS, type MetricsModuleOptions } from './metrics-options.interface';
import { MetricsController } from './metrics.controller';
import { SignalingMetrics } from './signaling-metrics.service';

/**
 * Prometheus metrics at `GET /metrics`: `MetricsModule.forRoot({ apiKey? })`. Needs SignalingModule's
 * providers (import it with `isGlobal: true`); adds history and webhook metrics when
 * PersistenceModule and WebhooksModule are in the app.
 */
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsModuleOptions = {}): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: METRICS_OPTIONS, useValue: options }, MetricsAuthGuard, SignalingMetrics],
      exports: [SignalingMetrics],
    };
  }
}
