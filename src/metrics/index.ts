/** `nest-ams-p2p-signaling/metrics`: Prometheus metrics at `GET /metrics`. Needs `prom-client`. */
export { MetricsModule } from './metrics.module';
export { SignalingMetrics } from './signaling-metrics.service';
export { METRICS_MODULE_OPTIONS, METRICS_OPTIONS_TYPE, METRICS_ASYNC_OPTIONS_TYPE } from './metrics.module-definition';
export { METRICS_OPTIONS, RELAY_LATENCY_BUCKETS } from './metrics-options.interface';
export type { MetricsModuleOptions, ResolvedMetricsOptions } from './metrics-options.interface';
export { resolveMetricsOptions } from './metrics-options';
