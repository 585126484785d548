/** The optional modules' options: defaults applied, and what cannot work refused with a message naming the option. */
import type { DataSourceOptions } from 'typeorm';
import { resolveAdminOptions } from '../../src/admin/admin-options';
import { RELAY_LATENCY_BUCKETS } from '../../src/metrics/metrics-options.interface';
import { resolveMetricsOptions } from '../../src/metrics/metrics-options';
import { HISTORY_ENTITIES, sqliteOptions } from '../../src/persistence/database-options';
import { MIGRATIONS } from '../../src/persistence/migrations';
import { HISTORY_CONNECTION } from '../../src/persistence/persistence.constants';
import { PERSISTENCE_DEFAULTS, resolvePersistenceOptions } from '../../src/persistence/persistence-options';
import { resolveRedisSignalingOptions } from '../../src/redis/redis-signaling-options';
import { resolveWebhookOptions } from '../../src/webhooks/webhook-options';

class SomeGuard {
  canActivate(): boolean {
    return true;
  }
}

describe('AdminModule options', () => {
  it('an API key or a guard', () => {
    expect(resolveAdminOptions({ apiKey: 'k' })).toEqual({ apiKey: 'k' });
    expect(resolveAdminOptions({ guard: SomeGuard })).toEqual({ guard: SomeGuard });
  });

  it.each([
    [{}, /AdminModule: configure an apiKey or a guard/],
    [undefined, /AdminModule: configure an apiKey or a guard/],
    [{ apiKey: '' }, /AdminModule: apiKey must be a non-empty string/],
    [{ apiKey: '  ' }, /AdminModule: apiKey/],
    [{ apiKey: 'k', guard: SomeGuard }, /AdminModule: configure an apiKey or a guard, not both/],
    [{ guard: 'SomeGuard' }, /AdminModule: guard must be a class/],
  ])('refuses %p', (options, message) => {
    expect(() => resolveAdminOptions(options as never)).toThrow(message);
  });
});

describe('MetricsModule options', () => {
  it('defaults: open, process metrics, the default buckets', () => {
    expect(resolveMetricsOptions()).toEqual({ apiKey: undefined, defaultMetrics: true, relayLatencyBuckets: RELAY_LATENCY_BUCKETS });
    expect(resolveMetricsOptions({ apiKey: 'm', defaultMetrics: false, relayLatencyBuckets: [0.001, 0.01] })).toEqual({
      apiKey: 'm',
      defaultMetrics: false,
      relayLatencyBuckets: [0.001, 0.01],
    });
  });

  it.each([
    [{ apiKey: '' }, /MetricsModule: apiKey must be a non-empty string/],
    [{ defaultMetrics: 'yes' }, /MetricsModule: defaultMetrics/],
    [{ relayLatencyBuckets: [] }, /MetricsModule: relayLatencyBuckets/],
    [{ relayLatencyBuckets: [0.01, 0.001] }, /MetricsModule: relayLatencyBuckets/],
    [{ relayLatencyBuckets: [0, 1] }, /MetricsModule: relayLatencyBuckets/],
  ])('refuses %p', (options, message) => {
    expect(() => resolveMetricsOptions(options as never)).toThrow(message);
  });
});

describe('PersistenceModule options', () => {
  it('defaults, and the history DataSource options: its name, its entities and migrations unless given, never synchronize', () => {
    const resolved = resolvePersistenceOptions({ database: { type: 'postgres', url: 'postgres://db/history' }, nodeId: 'n1' });
    expect(resolved).toEqual({ ...PERSISTENCE_DEFAULTS, nodeId: 'n1', database: expect.any(Object) });
    expect(resolved.database).toEqual({
      type: 'postgres',
      url: 'postgres://db/history',
      entities: HISTORY_ENTITIES,
      migrations: MIGRATIONS,
      name: HISTORY_CONNECTION,
      synchronize: false,
      migrationsRun: false,
    });
    const sqlite = sqliteOptions(':memory:');
    expect(resolvePersistenceOptions({ database: { ...sqlite, synchronize: true } as DataSourceOptions, nodeId: 'n1' }).database).toMatchObject({
      type: 'sqlite',
      database: ':memory:',
      synchronize: false,
    });
  });

  const sqlite = sqliteOptions(':memory:');
  it.each([
    [{ nodeId: 'n' }, /PersistenceModule: database is required/],
    [{ database: {}, nodeId: 'n' }, /PersistenceModule: database is required/],
    [{ database: { type: 'sqlite' }, nodeId: 'n' }, /PersistenceModule: database\.database .* is required with type "sqlite"/],
    [{ database: { type: 'sqlite', database: '' }, nodeId: 'n' }, /PersistenceModule: database\.database/],
    [{ database: { type: 'postgres' }, nodeId: 'n' }, /PersistenceModule: database\.url or database\.host is required/],
    [{ database: { type: 'postgres', url: 'mysql://db' }, nodeId: 'n' }, /PersistenceModule: database\.url must be a postgres:\/\/ URL/],
    [{ database: sqlite }, /PersistenceModule: nodeId/],
    [{ database: sqlite, nodeId: '' }, /PersistenceModule: nodeId/],
    [{ database: sqlite, nodeId: 'x'.repeat(65) }, /PersistenceModule: nodeId/],
    [{ database: sqlite, nodeId: 'n', flushIntervalMs: 0 }, /PersistenceModule: flushIntervalMs must be a positive integer/],
    [{ database: sqlite, nodeId: 'n', counterFlushIntervalMs: 1.5 }, /PersistenceModule: counterFlushIntervalMs/],
    [{ database: sqlite, nodeId: 'n', maxPendingRows: -1 }, /PersistenceModule: maxPendingRows/],
  ])('refuses %p', (options, message) => {
    expect(() => resolvePersistenceOptions(options as never)).toThrow(message);
  });
});

describe('half-configured Redis and webhooks', () => {
  it('RedisSignalingModule: an empty or non-Redis url is refused, without repeating it', () => {
    expect(() => resolveRedisSignalingOptions({ url: '', nodeId: 'a' })).toThrow(/RedisSignalingModule: url must be a redis:\/\/ or rediss:\/\/ URL \(got an empty string\)/);
    expect(() => resolveRedisSignalingOptions({ url: '', redis: { port: 7000 }, nodeId: 'a' })).toThrow(/RedisSignalingModule: url/);
    expect(() => resolveRedisSignalingOptions({ url: 'http://:secret@host', nodeId: 'a' })).toThrow(/^((?!secret).)*$/);
    expect(() => resolveRedisSignalingOptions({ url: 'redis://127.0.0.1', nodeId: 'a', keyPrefix: 'a b' })).toThrow(/RedisSignalingModule: keyPrefix/);
    expect(resolveRedisSignalingOptions({ url: 'rediss://user:pw@host:6380/1', nodeId: 'a' }).url).toBe('rediss://user:pw@host:6380/1');
  });

  it('WebhooksModule: urls without a secret are refused', () => {
    expect(() => resolveWebhookOptions({ urls: ['http://127.0.0.1:9000/'] } as never)).toThrow(/WebhooksModule: secret is required/);
    expect(() => resolveWebhookOptions({ urls: ['http://127.0.0.1:9000/'], secret: 's', events: 'room.opened' } as never)).toThrow(
      /WebhooksModule: events/,
    );
  });
});
