import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { createSignalingWsAdapter } from './signaling/signaling-ws-adapter';

/** Builds the standalone app (not listening yet): used by main.ts and by the end-to-end tests. */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(config), { logger: config.logLevels });
  app.useWebSocketAdapter(createSignalingWsAdapter(app));
  return app;
}
