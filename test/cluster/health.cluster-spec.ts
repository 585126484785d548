/**
 * Readiness of a node on Redis: `/health/ready` pings Redis next to the history database, so a node
 * cut off from Redis (joins and leaves fail, cross-node frames are lost) is taken out of the load
 * balancer's rotation until Redis answers again. Liveness does not depend on it. This node has a
 * redis-server of its own, which the test stops and starts again.
 */
import { appendFileSync } from 'node:fs';
import { startRedis, stopRedis, type RedisServer } from './support/redis-server';
import { TestCluster, waitFor, type AppNode } from './support/cluster';

const UP = {
  status: 'ok',
  info: { database: { status: 'up' }, redis: { status: 'up' } },
  error: {},
  details: { database: { status: 'up' }, redis: { status: 'up' } },
};
const REDIS_DOWN = {
  status: 'error',
  info: { database: { status: 'up' } },
  error: { redis: { status: 'down' } },
  details: { database: { status: 'up' }, redis: { status: 'down' } },
};

async function get(node: AppNode, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(node.httpUrl + path);
  return { status: response.status, body: await response.json() };
}

describe('readiness with Redis', () => {
  const port = 21000 + Math.floor(Math.random() * 2000);
  let redis: RedisServer | undefined;
  let cluster: TestCluster;
  let node: AppNode;

  async function startOwnRedis(): Promise<void> {
    redis = await startRedis(port);
    if (process.env.CLUSTER_PIDS_FILE) appendFileSync(process.env.CLUSTER_PIDS_FILE, `pid ${redis.pid}\n`);
  }

  beforeAll(async () => {
    await startOwnRedis();
    cluster = await TestCluster.start([]);
    node = await cluster.startNode('health-a', { redisUrl: redis?.url });
  });

  afterAll(async () => {
    await cluster?.close();
    if (redis) await stopRedis(redis);
  });

  it('GET /health/ready: 200 with the database and Redis up', async () => {
    expect(await get(node, '/health/ready')).toEqual({ status: 200, body: UP });
  });

  it('Redis down: 503 naming redis, within the ping timeout; the node stays alive; 200 again once Redis is back', async () => {
    await stopRedis(redis as RedisServer);
    const started = Date.now();
    expect(await get(node, '/health/ready')).toEqual({ status: 503, body: REDIS_DOWN });
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await get(node, '/health/live')).status).toBe(200);

    await startOwnRedis();
    await waitFor(async () => (await get(node, '/health/ready')).status === 200, 'readiness after Redis restarted', 15_000);
    expect(await get(node, '/health/ready')).toEqual({ status: 200, body: UP });
    expect(node.alive).toBe(true);
  });
});
