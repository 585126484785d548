import type { DataSourceOptions } from 'typeorm';

export interface PersistenceModuleOptions {
  /**
   * TypeORM connection options (see sqliteOptions, databaseOptionsFromEnv): SQLite (`database`, the
   * file) or PostgreSQL (`url` or `host`). Entities and migrations default to the history's own; migrations run at boot.
   */
  database: DataSourceOptions;
  /** Id of this node in history rows (at most 64 characters); crash reconciliation closes only this node's rows. */
  nodeId: string;
  /** How often pending history rows are written, in one transaction. Default 1000 ms. */
  flushIntervalMs?: number;
  /** How often relay counters of active sessions are written. Default 15000 ms. */
  counterFlushIntervalMs?: number;
  /** Rows waiting to be written at most; past it updates are dropped and counted. Default 50000. */
  maxPendingRows?: number;
}

export interface ResolvedPersistenceOptions {
  /** What TypeOrmModule is given for the history's own DataSource (name, no synchronize, migrations run by HistoryWriter). */
  readonly database: DataSourceOptions;
  readonly nodeId: string;
  readonly flushIntervalMs: number;
  readonly counterFlushIntervalMs: number;
  readonly maxPendingRows: number;
}

/** Injection token of the resolved options (defaults applied, validated). */
export const PERSISTENCE_OPTIONS = Symbol('PERSISTENCE_OPTIONS');
