import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { setupAdminSwagger } from './admin/admin-swagger';
import { applyHttpHardening, HTTP_HARDENING_APP_OPTIONS } from './app.http-hardening';
import { AppModule } from './app.module';
import { ASYNCAPI_URL } from './asyncapi.controller';
import type { AppConfig } from './config/app-config';
import { createAppLogger } from './config/app-logger';
import { SIGNALING_OPTIONS } from './signaling/signaling.module-definition';
import type { ResolvedSignalingOptions } from './signaling/signaling-options.interface';
import { createSignalingWsAdapter } from './signaling/signaling-ws-adapter';

/** Builds the standalone app (not listening yet): used by main.ts and by the end-to-end tests. */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(config), {
    ...HTTP_HARDENING_APP_OPTIONS,
    logger: createAppLogger(config.logLevels, config.logFormat),
  });
  app.useWebSocketAdapter(createSignalingWsAdapter(app));
  // Before Swagger UI, which registers its routes and static files at once.
  applyHttpHardening(app);
  setupAdminSwagger(app, app.get<ResolvedSignalingOptions>(SIGNALING_OPTIONS).path, { asyncApiUrl: ASYNCAPI_URL, consoleUrl: '/console' });
  return app;
}
