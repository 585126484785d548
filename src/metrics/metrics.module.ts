import { DynamicModule, Module } from '@nestjs/common';
import { MetricsAuthGuard } from './metrics-auth.guard';
import { METRICS_OPTIONS, type MetricsModuleOptions } from './metrics-options.interface';
import { resolveMetricsOptions } from './metrics-options';
import { ConfigurableMetricsModule, METRICS_MODULE_OPTIONS } from './metrics.module-definition';
import { MetricsController } from './metrics.controller';
import { SignalingMetrics } from './signaling-metrics.service';

/**
 * Prometheus metrics at `GET /metrics`: `MetricsModule.forRoot({ apiKey? })` or `forRootAsync({ useFactory })`.
 * Needs SignalingModule's providers (import it with `isGlobal: true`); adds history and webhook
 * metrics when PersistenceModule and WebhooksModule are in the app.
 */
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: METRICS_OPTIONS,
      useFactory: (options: MetricsModuleOptions) => resolveMetricsOptions(options),
      inject: [METRICS_MODULE_OPTIONS],
    },
    MetricsAuthGuard,
    SignalingMetrics,
  ],
  exports: [SignalingMetrics],
})
export class MetricsModule extends ConfigurableMetricsModule {
  /** Every option is optional: `MetricsModule.forRoot()` serves an open `/metrics`. */
  static override forRoot(options: MetricsModuleOptions = {}): DynamicModule {
    return super.forRoot(options);
  }
}
