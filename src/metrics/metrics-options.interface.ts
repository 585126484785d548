export interface MetricsModuleOptions {
  /**
   * When set, `GET /metrics` needs `Authorization: Bearer <apiKey>` (Prometheus: `authorization:
   * { credentials: … }` in the scrape config). Unset, the endpoint is open, as Prometheus targets usually are.
   */
  apiKey?: string;
  /** Node.js process metrics (CPU, memory, event loop lag, GC, handles) from prom-client. Default true. */
  defaultMetrics?: boolean;
  /** Buckets of `signaling_relay_latency_seconds`, in seconds. Default 10 µs … 50 ms. */
  relayLatencyBuckets?: number[];
}

export interface ResolvedMetricsOptions {
  readonly apiKey: string | undefined;
  readonly defaultMetrics: boolean;
  readonly relayLatencyBuckets: readonly number[];
}

/** Injection token of the resolved options (defaults applied, validated). */
export const METRICS_OPTIONS = Symbol('METRICS_OPTIONS');

/** Default buckets of the relay latency histogram: a relay takes microseconds unless the node is overloaded. */
export const RELAY_LATENCY_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05];
