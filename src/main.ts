import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.factory';
import { loadAppConfig } from './config/app-config';
import { createAppLogger } from './config/app-logger';
import { SIGNALING_OPTIONS } from './signaling/signaling.module-definition';
import type { ResolvedSignalingOptions } from './signaling/signaling-options.interface';

async function bootstrap(): Promise<void> {
  const config = loadAppConfig();
  const app = await createApp(config);
  app.enableShutdownHooks();
  await app.listen(config.port, config.host ?? '0.0.0.0');
  const { path } = app.get<ResolvedSignalingOptions>(SIGNALING_OPTIONS);
  const host = !config.host || config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  // The port listened on (PORT=0 picks a free one).
  const port = (app.getHttpServer().address() as AddressInfo | null)?.port ?? config.port;
  const logger = new Logger('Bootstrap');
  logger.log(`Signaling WebSocket: ws://${host}:${port}${path}`);
  logger.log(`Demo page (a call between two tabs): http://${host}:${port}/`);
  logger.log(`Admin API (Swagger UI): http://${host}:${port}/api/docs`);
  if (config.redis) logger.log(`Node ${config.nodeId} of a cluster on Redis (lease ${config.redis.leaseMs ?? 5000} ms)`);
  const { adminApiKey } = config;
  if (adminApiKey.source !== 'env') {
    const how = adminApiKey.source === 'generated' ? 'generated on first start' : 'set ADMIN_API_KEY to replace it';
    logger.log(`Admin API key: ${adminApiKey.key} (kept in ${adminApiKey.file}; ${how})`);
  }
}

bootstrap().catch((error: Error) => {
  // The configuration itself may be what failed: honour LOG_FORMAT=json all the same.
  const format = process.env.LOG_FORMAT === 'json' ? 'json' : 'pretty';
  createAppLogger(['fatal'], format).fatal(error.message, error.stack, 'Bootstrap');
  process.exit(1);
});
