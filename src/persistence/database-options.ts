import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { PeerSession } from './entities/peer-session.entity';
import { RoomRecord } from './entities/room-record.entity';
import { MIGRATIONS } from './migrations';
import { quietSqlite3Driver } from './sqlite3-driver';

export const HISTORY_ENTITIES = [RoomRecord, PeerSession];

/** Default SQLite file of the standalone app. */
export const DEFAULT_SQLITE_PATH = 'data/signaling.sqlite';

/**
 * The history database: PostgreSQL when `DATABASE_URL` is a postgres:// URL, otherwise the SQLite
 * file at `DATABASE_PATH` (default `./data/signaling.sqlite`, its folder created on demand).
 * Used by the app and by ormconfig.ts (the TypeORM CLI), so both see the same schema and migrations.
 */
export function databaseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DataSourceOptions {
  const url = env.DATABASE_URL;
  const common = { entities: HISTORY_ENTITIES, migrations: MIGRATIONS, synchronize: false } as const;
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new Error('DATABASE_URL must be a postgres:// URL (unset it to use SQLite)');
    }
    return { type: 'postgres', url, ...common };
  }
  return sqliteOptions(env.DATABASE_PATH || DEFAULT_SQLITE_PATH);
}

export function sqliteOptions(path: string): DataSourceOptions {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  return {
    type: 'sqlite',
    database: path,
    enableWAL: path !== ':memory:',
    // A write waits up to 5 s for another connection's lock, then fails: the history writer retries
    // with backoff. (No TypeORM busyErrorRetry: it retries SQLITE_BUSY forever, so a lock held
    // elsewhere hung the writer silently, admin reads behind it and the flush at shutdown.)
    busyTimeout: 5000,
    // sqlite3 without the verbose mode TypeORM would turn on (see sqlite3-driver.ts).
    driver: quietSqlite3Driver(),
    entities: HISTORY_ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
  };
}
