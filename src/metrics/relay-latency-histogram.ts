import type { Metric, Registry } from 'prom-client';

/** One series of the scrape, in the shape prom-client's registry formats. */
interface HistogramValue {
  labels: { le?: number | string };
  value: number;
  metricName: string;
}

/**
 * `signaling_relay_latency_seconds`: a Prometheus histogram fed once per relayed frame, so observed
 * without allocating. prom-client's Histogram builds a label object and hashes it on every
 * `observe` (about 200 bytes of garbage per relayed frame under the bench's pairs load); this one
 * adds to a typed array. It registers in a prom-client Registry as a metric of its own (`get`,
 * `reset`: what the registry calls) and scrapes exactly as a prom-client Histogram without labels:
 * cumulative `_bucket{le}` series, `+Inf`, `_sum`, `_count`.
 */
export class RelayLatencyHistogram {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  /** Observations per bucket, not cumulative; the last one is `+Inf`. */
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** The hot path: a bucket search over a few bounds and three additions. */
  readonly observe = (seconds: number): void => {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]) i++;
    this.counts[i]++;
    this.sum += seconds;
    this.count++;
  };

  registerIn(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: HistogramValue[] }> {
    const values: HistogramValue[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += this.counts[i];
      values.push({ labels: { le: this.bounds[i] }, value: cumulative, metricName: `${this.name}_bucket` });
    }
    values.push({ labels: { le: '+Inf' }, value: this.count, metricName: `${this.name}_bucket` });
    values.push({ labels: {}, value: this.sum, metricName: `${this.name}_sum` });
    values.push({ labels: {}, value: this.count, metricName: `${this.name}_count` });
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}
