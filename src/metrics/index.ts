/** `nest-ams-p2p-signaling/metrics`: Prometheus metrics at `GET /metrics`. Needs `prom-client`. */
export { MetricsModule } from './metrics.module';
export { SignalingMetrics } from './signaling-metrics.service';
export { METRICS_OPTIONS, RELAY_LATENCY_BUCKETS } from './metrics-options.interface';
export type { MetricsModuleOptions } from './metrics-options.interface';
