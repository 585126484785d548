import type { DataSourceOptions } from 'typeorm';
import { HISTORY_ENTITIES } from './database-options';
import { MIGRATIONS } from './migrations';
import { quietSqlite3Driver } from './sqlite3-driver';
import { HISTORY_CONNECTION } from './persistence.constants';
import type { PersistenceModuleOptions, ResolvedPersistenceOptions } from './persistence-options.interface';

export const PERSISTENCE_DEFAULTS = {
  flushIntervalMs: 1000,
  counterFlushIntervalMs: 15_000,
  maxPendingRows: 50_000,
} as const;

/** Applies defaults and rejects options that cannot work, with a message that names the option. */
export function resolvePersistenceOptions(options: PersistenceModuleOptions): ResolvedPersistenceOptions {
  if (!options) throw new Error('PersistenceModule: options are required (database, nodeId)');
  const { nodeId } = options;
  if (typeof nodeId !== 'string' || !/^[^\s]{1,64}$/.test(nodeId)) {
    throw new Error(`PersistenceModule: nodeId must be 1 to 64 characters without spaces (got "${String(nodeId)}")`);
  }
  return {
    database: resolveDatabase(options.database),
    nodeId,
    flushIntervalMs: positiveInteger('flushIntervalMs', options.flushIntervalMs ?? PERSISTENCE_DEFAULTS.flushIntervalMs),
    counterFlushIntervalMs: positiveInteger(
      'counterFlushIntervalMs',
      options.counterFlushIntervalMs ?? PERSISTENCE_DEFAULTS.counterFlushIntervalMs,
    ),
    maxPendingRows: positiveInteger('maxPendingRows', options.maxPendingRows ?? PERSISTENCE_DEFAULTS.maxPendingRows),
  };
}

/** The DataSource options of the history: checked for what each driver needs, the history's entities and migrations by default. */
function resolveDatabase(database: DataSourceOptions | undefined): DataSourceOptions {
  if (typeof database !== 'object' || database === null || typeof database.type !== 'string') {
    throw new Error('PersistenceModule: database is required: TypeORM DataSource options with a type (e.g. sqliteOptions(path))');
  }
  if (database.type === 'sqlite' || database.type === 'better-sqlite3') {
    if (typeof database.database !== 'string' || database.database.length === 0) {
      throw new Error(`PersistenceModule: database.database (the SQLite file, or ":memory:") is required with type "${database.type}"`);
    }
  } else if (database.type === 'postgres') {
    if (!nonEmpty(database.url) && !nonEmpty(database.host)) {
      throw new Error('PersistenceModule: database.url or database.host is required with type "postgres"');
    }
    if (nonEmpty(database.url) && !/^postgres(ql)?:\/\//.test(database.url)) {
      throw new Error('PersistenceModule: database.url must be a postgres:// URL');
    }
  }
  return {
    entities: HISTORY_ENTITIES,
    migrations: MIGRATIONS,
    ...database,
    // sqlite3 without the verbose mode TypeORM would turn on (sqlite3-driver.ts); a driver given is kept.
    ...(database.type === 'sqlite' && database.driver === undefined ? { driver: quietSqlite3Driver() } : {}),
    name: HISTORY_CONNECTION,
    synchronize: false,
    // Run by HistoryWriter at init (runHistoryMigrations: one node at a time on PostgreSQL).
    migrationsRun: false,
  } as DataSourceOptions;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`PersistenceModule: ${name} must be a positive integer (got ${value})`);
  return value;
}
