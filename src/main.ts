import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { loadAppConfig } from './config/app-config';
import { SIGNALING_OPTIONS } from './signaling/signaling.module-definition';
import type { ResolvedSignalingOptions } from './signaling/signaling-options.interface';

async function bootstrap(): Promise<void> {
  const config = loadAppConfig();
  const app = await createApp(config);
  app.enableShutdownHooks();
  await app.listen(config.port, config.host ?? '0.0.0.0');
  const { path } = app.get<ResolvedSignalingOptions>(SIGNALING_OPTIONS);
  const host = !config.host || config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  new Logger('Bootstrap').log(`Signaling WebSocket: ws://${host}:${config.port}${path}`);
}

bootstrap().catch((error: Error) => {
  new Logger('Bootstrap').fatal(error.message, error.stack);
  process.exit(1);
});
