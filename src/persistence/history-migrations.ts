import type { DataSource } from 'typeorm';

/** Key of the PostgreSQL advisory lock that serialises migrations of nodes booting together. */
const MIGRATION_LOCK_KEY = 7_356_172_001;

/**
 * Runs the pending history migrations. On PostgreSQL, shared by every node of a cluster, under an
 * advisory lock: nodes that boot together migrate one after the other instead of racing to create
 * the same tables (the later ones then find nothing to do).
 */
export async function runHistoryMigrations(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'postgres') {
    await dataSource.runMigrations();
    return;
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await dataSource.runMigrations();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
