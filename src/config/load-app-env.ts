import type { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { resolve } from 'node:path';
import { validateAppEnv, type AppEnv } from './app-env';

export interface LoadedAppEnv {
  env: AppEnv;
  /** The global ConfigModule that loaded it: imported by the app, so `ConfigService<AppEnv>` is injectable there. */
  module: DynamicModule;
}

/**
 * The standalone app's settings through @nestjs/config: the `.env` file (in the working directory
 * unless `envFilePath` says otherwise; a missing file is fine) overlaid with the process environment,
 * which wins, then checked by `validateAppEnv`. Rejects with an AppConfigError naming each variable
 * at fault; nothing has been written anywhere at that point.
 */
export async function loadAppEnv(options: { envFilePath?: string } = {}): Promise<LoadedAppEnv> {
  let env: AppEnv | undefined;
  const module = await ConfigModule.forRoot({
    isGlobal: true,
    cache: true,
    envFilePath: options.envFilePath ?? resolve(process.cwd(), '.env'),
    validate: (raw) => (env = validateAppEnv(raw)),
  });
  if (!env) throw new Error('ConfigModule did not validate the environment');
  return { env, module };
}
