import { getDataSourceToken } from '@nestjs/typeorm';
import { Client } from 'pg';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { HISTORY_CONNECTION } from '../../src/persistence/persistence.constants';
import { captureOutput } from '../support/capture-output';
import { databaseVariants } from '../support/database-variants';
import { startTestApp, type TestApp } from '../support/test-app';

const UP = { status: 'ok', info: { database: { status: 'up' } }, error: {}, details: { database: { status: 'up' } } };
const DOWN = { status: 'error', info: {}, error: { database: { status: 'down' } }, details: { database: { status: 'down' } } };

/** Makes the history database unreachable for the app, and back. */
interface Outage {
  begin(): Promise<void>;
  end(): Promise<void>;
}

/**
 * SQLite: the app's DataSource is destroyed (closed) and initialised again. PostgreSQL: the server
 * refuses new connections to the database and ends the app's open ones, then accepts them again.
 */
function outageOf(t: TestApp): Outage {
  const dataSource = t.app.get<DataSource>(getDataSourceToken(HISTORY_CONNECTION));
  if (dataSource.options.type !== 'postgres') {
    return { begin: () => dataSource.destroy(), end: async () => void (await dataSource.initialize()) };
  }
  const url = new URL((dataSource.options as { url: string }).url);
  const database = url.pathname.slice(1);
  url.pathname = '/postgres';
  const sql = async (text: string) => {
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  return {
    async begin() {
      await sql(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
      await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}'`);
    },
    end: () => sql(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`),
  };
}

describe.each(databaseVariants())('health probes on $name', (variant) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { database: await variant.options() });
  });
  afterAll(async () => {
    await t.close();
    await variant.cleanup();
  });

  it('GET /health/live answers 200, uncached, without credentials', async () => {
    const response = await request(t.app.getHttpServer()).get('/health/live').expect(200);
    expect(response.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
    expect(response.headers['cache-control']).toBe('no-cache, no-store, must-revalidate');
  });

  it('GET /health/ready pings the history database: 200 when it answers, 503 while it cannot be reached, 200 again after', async () => {
    const server = t.app.getHttpServer();
    expect((await request(server).get('/health/ready').expect(200)).body).toEqual(UP);

    const outage = outageOf(t);
    await outage.begin();
    try {
      // terminus logs the failed check at error level: captured here and asserted, once per request
      const { stdout, stderr } = await captureOutput(async () => {
        expect((await request(server).get('/health/ready').expect(503)).body).toEqual(DOWN);
        // the process is still alive: liveness does not depend on the database
        await request(server).get('/health/live').expect(200);
      });
      const logged = (stdout + stderr).split('\n').filter((line) => line.includes('ERROR'));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain('Health Check has failed! {"database":{"status":"down"}}');
    } finally {
      await outage.end();
    }
    expect((await request(server).get('/health/ready').expect(200)).body).toEqual(UP);
  });
});
