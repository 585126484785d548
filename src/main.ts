import { Logger, type INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.factory';
import { logLevelsFor } from './config/app-config';
import { AppConfigError } from './config/app-env';
import { createAppLogger, type LogFormat } from './config/app-logger';
import { prepareStart } from './config/app-startup';
import type { InstanceLock } from './config/instance-lock';
import { loadAppEnv } from './config/load-app-env';
import { StartupError } from './config/startup-error';
import { SIGNALING_OPTIONS } from './signaling/signaling.module-definition';
import type { ResolvedSignalingOptions } from './signaling/signaling-options.interface';

/** The signals that stop the app gracefully (peers get `stop`, history is written), then the process dies of that signal. */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

let logFormat: LogFormat | undefined;
let locks: InstanceLock[] = [];

async function bootstrap(): Promise<void> {
  // 1. settings: .env and the environment (which wins), validated; nothing is written before this passes
  const { env, module } = await loadAppEnv();
  logFormat = env.LOG_FORMAT;
  const bootstrapLogger = createAppLogger(logLevelsFor(env.LOG_LEVEL ?? 'log'), env.LOG_FORMAT);
  // 2. data directory, instance lock, port, admin key, SQLite file (app-startup.ts)
  const prepared = await prepareStart(env, bootstrapLogger);
  locks = prepared.locks;
  process.once('exit', releaseLocks);
  const config = { ...prepared.config, configModule: module };
  // 3. the app: history opens here, and is reconciled (crash recovery) when it starts listening
  const app = await createApp(config);
  stopOnSignals(app);
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
  // The key is printed once, when generated; later starts say where it is.
  if (adminApiKey.source === 'generated') {
    logger.log(`Admin API key generated: ${adminApiKey.key} (kept in ${adminApiKey.file}, mode 0600; set ADMIN_API_KEY to use your own)`);
  } else if (adminApiKey.source === 'file') {
    logger.log(`Admin API key: kept in ${adminApiKey.file} (set ADMIN_API_KEY to replace it)`);
  } else {
    logger.log('Admin API key: from ADMIN_API_KEY');
  }
}

/**
 * Nest's shutdown hooks, with the instance lock released last: after every session has ended,
 * history has been written and the database closed. Then the process dies of the signal, as before.
 */
function stopOnSignals(app: INestApplication): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.close().then(
      () => {
        releaseLocks();
        for (const s of STOP_SIGNALS) process.removeListener(s, stop);
        process.kill(process.pid, signal);
      },
      (error: Error) => {
        new Logger('Bootstrap').error(`Error during shutdown: ${error.message}`, error.stack);
        process.exit(1);
      },
    );
  };
  for (const signal of STOP_SIGNALS) process.on(signal, stop);
}

function releaseLocks(): void {
  for (const lock of locks) lock.release();
  locks = [];
}

bootstrap().catch((error: Error) => {
  // The configuration itself may be what failed: honour LOG_FORMAT=json all the same.
  const format = logFormat ?? (error instanceof AppConfigError ? error.logFormat : undefined) ?? (process.env.LOG_FORMAT === 'json' ? 'json' : 'pretty');
  const logger = createAppLogger(['fatal'], format);
  // A refused start says all in its message; anything else gets its stack
  if (error instanceof StartupError) logger.fatal(error.message, 'Bootstrap');
  else logger.fatal(error.message, error.stack, 'Bootstrap');
  process.exit(1);
});
