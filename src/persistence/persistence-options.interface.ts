import type { DataSourceOptions } from 'typeorm';

export interface PersistenceModuleOptions {
  /** TypeORM connection options (see databaseOptionsFromEnv); migrations run at boot. */
  database: DataSourceOptions;
  /** Id of this node in history rows; crash reconciliation closes only this node's rows. */
  nodeId: string;
  /** How often pending history rows are written, in one transaction. Default 1000 ms. */
  flushIntervalMs?: number;
  /** How often relay counters of active sessions are written. Default 15000 ms. */
  counterFlushIntervalMs?: number;
  /** Rows waiting to be written at most; past it updates are dropped and counted. Default 50000. */
  maxPendingRows?: number;
}

export interface ResolvedPersistenceOptions {
  readonly nodeId: string;
  readonly flushIntervalMs: number;
  readonly counterFlushIntervalMs: number;
  readonly maxPendingRows: number;
}

export const PERSISTENCE_OPTIONS = Symbol('PERSISTENCE_OPTIONS');
