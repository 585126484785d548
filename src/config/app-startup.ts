import type { LoggerService } from '@nestjs/common';
import { dirname } from 'node:path';
import { resolveAdminApiKey } from './admin-api-key';
import { appConfigFromEnv, DEFAULT_PORT, localState, type AppConfig } from './app-config';
import type { AppEnv } from './app-env';
import { preparePrivateDir, prepareSqliteFile } from './data-files';
import { InstanceLock } from './instance-lock';
import { assertPortFree } from './port-check';

export interface PreparedStart {
  config: AppConfig;
  /** Held until the app has stopped: `release()` them last. */
  locks: InstanceLock[];
}

/**
 * Everything between a valid configuration and building the app, in this order, so that a start that
 * cannot go on stops before touching anything another instance uses:
 * 1. the data directory (and the SQLite file's folder) created 0700 if missing;
 * 2. the lock(s): another live instance on this data directory stops the start here;
 * 3. the port: in use, the start stops here, before history is opened (let alone reconciled);
 * 4. the admin key (generated 0600 on first start), the SQLite file created 0600.
 * Locks taken are released if a later step fails.
 */
export async function prepareStart(env: AppEnv, logger: LoggerService): Promise<PreparedStart> {
  const state = localState(env);
  for (const dir of [state.usesDataDir ? state.dataDir : undefined, state.sqliteFile && dirname(state.sqliteFile)]) {
    if (!dir) continue;
    const prepared = preparePrivateDir(dir);
    if (prepared.warning) logger.warn(prepared.warning, 'Startup');
  }
  const locks: InstanceLock[] = [];
  try {
    for (const { file, what } of state.locks) {
      const lock = InstanceLock.acquire(file, { what });
      locks.push(lock);
      if (lock.replaced) logger.warn(`${what}: took over the lock of a previous run (${lock.replaced.reason})`, 'Startup');
    }
    await assertPortFree(env.PORT ?? DEFAULT_PORT, env.HOST ?? '0.0.0.0');
    const adminApiKey = resolveAdminApiKey(env.ADMIN_API_KEY, state.dataDir);
    if (state.sqliteFile) prepareSqliteFile(state.sqliteFile);
    return { config: appConfigFromEnv(env, adminApiKey), locks };
  } catch (error) {
    for (const lock of locks) lock.release();
    throw error;
  }
}
