/**
 * What other parts may read of the history part, by token: importing this file loads neither TypeORM
 * nor the history's services, so the metrics and health parts work without the history part's packages
 * and find it when it is in the app (PersistenceModule is global and provides both).
 */

/** The history writer's figures (`HistoryWriter`), for the metrics part. */
export const HISTORY_STATS = Symbol('HistoryStats');

export interface HistoryStatsSource {
  /** Rows and counter updates waiting to be written. */
  readonly queueDepth: number;
  readonly stats: { readonly rowsWritten: number; readonly failedFlushes: number; readonly droppedRows: number };
}

/** The history's TypeORM DataSource, for the readiness probe. */
export const HISTORY_DATA_SOURCE = Symbol('HistoryDataSource');
