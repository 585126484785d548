import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.factory';
import type { AppConfig } from '../../src/config/app-config';
import type { SignalingModuleOptions } from '../../src/signaling/signaling-options.interface';
import { WsTestClient } from './ws-test-client';

export interface TestApp {
  app: INestApplication;
  /** ws URL of the signaling endpoint. */
  wsUrl: string;
  httpUrl: string;
  connect(query?: string): Promise<WsTestClient>;
  close(): Promise<void>;
}

/** The standalone app, as main.ts builds it, listening on a random port on 127.0.0.1. */
export async function startTestApp(signaling: SignalingModuleOptions = {}, extra: Partial<AppConfig> = {}): Promise<TestApp> {
  const app = await createApp({ port: 0, logLevels: ['fatal', 'error', 'warn'], ...extra, signaling });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const httpUrl = `http://127.0.0.1:${port}`;
  const wsUrl = `ws://127.0.0.1:${port}${signaling.path ?? '/WebRTCAppEE/websocket'}`;
  const clients: WsTestClient[] = [];
  return {
    app,
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
