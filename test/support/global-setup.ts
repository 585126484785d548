import { findPostgresBin, startPostgres, type PostgresServer } from './postgres-server';

declare global {
  var __POSTGRES__: PostgresServer | undefined;
}

/**
 * Starts PostgreSQL on 127.0.0.1 for the history suites (TEST_POSTGRES_URL). Without the Debian
 * package the PostgreSQL variants are left out with a warning, except in CI, where that is an error.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_POSTGRES_URL) return;
  if (!findPostgresBin()) {
    const message = 'PostgreSQL is not installed (apt-get install postgresql): history suites run on SQLite only';
    if (process.env.CI) throw new Error(message);
    console.warn(`\n[global-setup] ${message}\n`);
    return;
  }
  const port = 15432 + Math.floor(Math.random() * 2000);
  globalThis.__POSTGRES__ = startPostgres(port);
  process.env.TEST_POSTGRES_URL = globalThis.__POSTGRES__.url;
}
