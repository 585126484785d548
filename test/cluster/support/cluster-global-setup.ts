import { appendFileSync, writeFileSync } from 'node:fs';
import { findPostgresBin, startPostgres, type PostgresServer } from '../../support/postgres-server';
import { startRedis, type RedisServer } from './redis-server';

declare global {
  var __CLUSTER_REDIS__: RedisServer | undefined;
  var __CLUSTER_POSTGRES__: PostgresServer | undefined;
}

/**
 * Starts redis-server and PostgreSQL on 127.0.0.1 (random ports) for the cluster suite; each test file
 * starts its own app nodes against them, with its own key prefix and database. The processes are
 * listed in CLUSTER_PIDS_FILE (when set) so the suite's script can stop them even if jest dies.
 */
export default async function clusterGlobalSetup(): Promise<void> {
  if (!findPostgresBin()) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const redisPort = 16379 + Math.floor(Math.random() * 2000);
  const pgPort = 18432 + Math.floor(Math.random() * 2000);
  const pidsFile = process.env.CLUSTER_PIDS_FILE;
  if (pidsFile) writeFileSync(pidsFile, '');
  globalThis.__CLUSTER_REDIS__ = await startRedis(redisPort);
  if (pidsFile) appendFileSync(pidsFile, `pid ${globalThis.__CLUSTER_REDIS__.pid}\n`);
  globalThis.__CLUSTER_POSTGRES__ = startPostgres(pgPort);
  if (pidsFile) appendFileSync(pidsFile, `pgdata ${globalThis.__CLUSTER_POSTGRES__.dataDir}\n`);
  process.env.CLUSTER_REDIS_URL = globalThis.__CLUSTER_REDIS__.url;
  process.env.CLUSTER_POSTGRES_URL = globalThis.__CLUSTER_POSTGRES__.url;
}
