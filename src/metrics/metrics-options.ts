import { RELAY_LATENCY_BUCKETS, type MetricsModuleOptions, type ResolvedMetricsOptions } from './metrics-options.interface';

/** Applies defaults and rejects options that cannot work, with a message that names the option. */
export function resolveMetricsOptions(options: MetricsModuleOptions = {}): ResolvedMetricsOptions {
  const { apiKey, defaultMetrics = true, relayLatencyBuckets = RELAY_LATENCY_BUCKETS } = options ?? {};
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey.trim().length === 0)) {
    throw new Error('MetricsModule: apiKey must be a non-empty string (omit it to leave GET /metrics open)');
  }
  if (typeof defaultMetrics !== 'boolean') {
    throw new Error(`MetricsModule: defaultMetrics must be true or false (got ${String(defaultMetrics)})`);
  }
  if (
    !Array.isArray(relayLatencyBuckets) ||
    relayLatencyBuckets.length === 0 ||
    relayLatencyBuckets.some((bucket, i) => !(Number.isFinite(bucket) && bucket > 0) || (i > 0 && bucket <= relayLatencyBuckets[i - 1]))
  ) {
    throw new Error('MetricsModule: relayLatencyBuckets must be positive numbers of seconds in increasing order');
  }
  return { apiKey, defaultMetrics, relayLatencyBuckets: [...relayLatencyBuckets] };
}
