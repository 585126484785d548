import type { INestApplication } from '@nestjs/common';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.factory';
import type { AppConfig } from '../../src/config/app-config';
import { sqliteOptions } from '../../src/persistence/database-options';
import type { SignalingModuleOptions } from '../../src/signaling/signaling-options.interface';
import { WsTestClient } from './ws-test-client';

export const TEST_API_KEY = 'test-admin-key';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  /** ws URL of the signaling endpoint. */
  wsUrl: string;
  httpUrl: string;
  connect(query?: string): Promise<WsTestClient>;
  close(): Promise<void>;
}

/** A fresh SQLite file in a temporary folder. */
export function tempSqlitePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'signaling-test-')), 'history.sqlite');
}

/**
 * The standalone app, as main.ts builds it, listening on a random port on 127.0.0.1, with its
 * history in a fresh temporary SQLite file unless `extra.database` says otherwise.
 */
export async function startTestApp(signaling: SignalingModuleOptions = {}, extra: Partial<AppConfig> = {}): Promise<TestApp> {
  const config: AppConfig = {
    port: 0,
    logLevels: ['fatal', 'error'],
    database: sqliteOptions(tempSqlitePath()),
    nodeId: 'test-node',
    adminApiKey: { key: TEST_API_KEY, source: 'env' },
    ...extra,
    signaling,
  };
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const httpUrl = `http://127.0.0.1:${port}`;
  const wsUrl = `ws://127.0.0.1:${port}${signaling.path ?? '/WebRTCAppEE/websocket'}`;
  const clients: WsTestClient[] = [];
  return {
    app,
    config,
    wsUrl,
    httpUrl,
    async connect(query = '') {
      const client = await WsTestClient.connect(wsUrl + query);
      clients.push(client);
      return client;
    },
    async close() {
      for (const c of clients) c.terminate();
      await app.close();
    },
  };
}
