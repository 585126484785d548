import { Histogram, Registry } from 'prom-client';
import { RelayLatencyHistogram } from '../../src/metrics/relay-latency-histogram';

const BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01];
const NAME = 'signaling_relay_latency_seconds';
const HELP = 'Time from a relayed frame’s handler start to its hand-off.';

describe('RelayLatencyHistogram', () => {
  it('scrapes exactly as prom-client’s Histogram given the same observations (bounds inclusive, +Inf, _sum, _count)', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const histogram = new RelayLatencyHistogram(NAME, HELP, BUCKETS).registerIn(ours);
    const reference = new Histogram({ name: NAME, help: HELP, buckets: BUCKETS, registers: [theirs] });
    const observations = [0, 0.00005, 0.0001, 0.0003, 0.0005, 0.0007, 0.001, 0.004, 0.005, 0.0099, 0.01, 0.02, 3, 0.0002];
    for (const seconds of observations) {
      histogram.observe(seconds);
      reference.observe(seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain(`${NAME}_bucket{le="0.0005"} 6\n`);
    // the JSON form too, but for prom-client's exemplar slots (null: no exemplars are recorded)
    const plain = async (registry: Registry) =>
      (await registry.getMetricsAsJSON()).map(({ name, help, type, aggregator, values }) => ({
        name,
        help,
        type,
        aggregator,
        values: values.map(({ labels, value, metricName }: { labels: object; value: number; metricName?: string }) => ({ labels, value, metricName })),
      }));
    expect(await plain(ours)).toEqual(await plain(theirs));
  });

  it('before any observation, and after reset, scrapes zeros as prom-client does', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const histogram = new RelayLatencyHistogram(NAME, HELP, BUCKETS).registerIn(ours);
    new Histogram({ name: NAME, help: HELP, buckets: BUCKETS, registers: [theirs] });
    const empty = await theirs.metrics();
    expect(await ours.metrics()).toBe(empty);
    histogram.observe(0.002);
    ours.resetMetrics();
    expect(await ours.metrics()).toBe(empty);
  });

  it('observe is a bound function (handed to SignalingStats as the observer)', () => {
    const histogram = new RelayLatencyHistogram(NAME, HELP, BUCKETS);
    const { observe } = histogram;
    observe(0.0003);
    return expect(histogram.get()).resolves.toMatchObject({ values: expect.arrayContaining([{ labels: {}, value: 1, metricName: `${NAME}_count` }]) });
  });
});
