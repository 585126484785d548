/**
 * The optional modules in a host app: each takes `forRoot` or `forRootAsync`, and a half-configured
 * one stops the app at startup with a message that names the option.
 */
import type { ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { DataSourceOptions } from 'typeorm';
import { SignalingModule, createSignalingWsAdapter } from '../../src';
import { AdminModule } from '../../src/admin';
import { MetricsModule } from '../../src/metrics';
import { HistoryWriter, PersistenceModule, sqliteOptions } from '../../src/persistence';
import { RedisSignalingModule } from '../../src/redis';
import { WebhooksModule } from '../../src/webhooks';
import { tempSqlitePath } from '../support/test-app';

/** Compiles and initialises a host app of these imports; resolves the startup error, if any. */
async function startupError(imports: ModuleMetadata['imports']): Promise<string | undefined> {
  let app;
  try {
    const moduleRef = await Test.createTestingModule({ imports: [SignalingModule.forRoot({ isGlobal: true }), ...(imports ?? [])] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(createSignalingWsAdapter(app));
    await app.init();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await app?.close().catch(() => undefined);
  }
}

const history = () => PersistenceModule.forRoot({ database: sqliteOptions(tempSqlitePath()), nodeId: 'host' });

describe('optional modules configured by a host app', () => {
  it.each([
    ['AdminModule apiKey "" and no guard', () => [history(), AdminModule.forRoot({ apiKey: '' })], /AdminModule: apiKey must be a non-empty string/],
    [
      'WebhooksModule urls without a secret',
      () => [WebhooksModule.forRoot({ urls: ['http://127.0.0.1:9/hook'] } as never)],
      /WebhooksModule: secret is required/,
    ],
    ['RedisSignalingModule url ""', () => [RedisSignalingModule.forRoot({ url: '', nodeId: 'host' })], /RedisSignalingModule: url must be a redis:\/\//],
    [
      'PersistenceModule postgres without url or host',
      () => [PersistenceModule.forRoot({ database: { type: 'postgres' } as DataSourceOptions, nodeId: 'host' })],
      /PersistenceModule: database\.url or database\.host is required/,
    ],
    [
      'PersistenceModule from forRootAsync without nodeId',
      () => [PersistenceModule.forRootAsync({ useFactory: () => ({ database: sqliteOptions(tempSqlitePath()) }) as never })],
      /PersistenceModule: nodeId/,
    ],
    ['MetricsModule apiKey ""', () => [MetricsModule.forRoot({ apiKey: '' })], /MetricsModule: apiKey must be a non-empty string/],
  ])('%s: the app does not start', async (_case, imports, message) => {
    expect(await startupError(imports())).toMatch(message);
  });

  it('forRootAsync of PersistenceModule, AdminModule and MetricsModule', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        SignalingModule.forRoot({ isGlobal: true }),
        PersistenceModule.forRootAsync({ useFactory: async () => ({ database: sqliteOptions(tempSqlitePath()), nodeId: 'async-host', flushIntervalMs: 50 }) }),
        AdminModule.forRootAsync({ useFactory: () => ({ apiKey: 'async-key' }) }),
        MetricsModule.forRootAsync({ useFactory: () => ({ apiKey: 'metrics-key', defaultMetrics: false }) }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(createSignalingWsAdapter(app));
    await app.init();
    try {
      const server = app.getHttpServer();
      await request(server).get('/api/v1/sessions').set('X-API-Key', 'async-key').expect(200);
      await request(server).get('/api/v1/sessions').set('X-API-Key', 'wrong').expect(401);
      await request(server).get('/metrics').expect(401);
      const metrics = await request(server).get('/metrics').set('Authorization', 'Bearer metrics-key').expect(200);
      expect(metrics.text).toContain('signaling_connections');
      expect(metrics.text).not.toContain('process_cpu_user_seconds_total');
      expect(app.get(HistoryWriter).queueDepth).toBe(0);
    } finally {
      await app.close();
    }
  });
});
