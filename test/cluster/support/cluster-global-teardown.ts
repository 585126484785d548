import { stopPostgres } from '../../support/postgres-server';
import { stopRedis } from './redis-server';

export default async function clusterGlobalTeardown(): Promise<void> {
  if (globalThis.__CLUSTER_REDIS__) await stopRedis(globalThis.__CLUSTER_REDIS__);
  if (globalThis.__CLUSTER_POSTGRES__) stopPostgres(globalThis.__CLUSTER_POSTGRES__);
}
