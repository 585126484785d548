/**
 * Query times of the admin API's aggregate routes (the operator console's charts) over a history of
 * N sessions (default 100,000) and N/2 rooms spread over the last 30 days: the built app (dist/) is
 * started on a database seeded here, and each route is called R times over HTTP; prints the median,
 * p95 and max of each. SQLite by default; `--postgres-url postgres://…@127.0.0.1/…` seeds a fresh
 * database on that server (created and dropped here).
 *
 *   npm run build && tsc -p bench/tsconfig.json && node bench/.build/history-aggregates.js [--rows 100000] [--runs 20]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ServerProcess } from './lib/server-process';
import { Samples } from './lib/stats';

const ROOT = resolve(__dirname, '..', '..');
const DAY = 86_400_000;
const REASONS = ['leave', 'leave', 'leave', 'disconnect', 'timeout', 'kicked'];

interface Repository {
  insert(rows: object[]): Promise<unknown>;
}
interface DataSourceLike {
  initialize(): Promise<unknown>;
  runMigrations(): Promise<unknown>;
  destroy(): Promise<void>;
  getRepository(entity: unknown): Repository;
}

function option(name: string, fallback: string | undefined): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

async function seed(options: object, rows: number, now: number): Promise<void> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { DataSource } = require(join(ROOT, 'node_modules', 'typeorm')) as { DataSource: new (options: object) => DataSourceLike };
  const { PeerSession } = require(join(ROOT, 'dist', 'src', 'persistence', 'entities', 'peer-session.entity.js')) as { PeerSession: unknown };
  const { RoomRecord } = require(join(ROOT, 'dist', 'src', 'persistence', 'entities', 'room-record.entity.js')) as { RoomRecord: unknown };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  await dataSource.runMigrations();
  const sessions: object[] = [];
  const rooms: object[] = [];
  for (let i = 0; i < rows / 2; i++) {
    const openedAt = now - Math.random() * 30 * DAY;
    const met = Math.random() < 0.9;
    const callStartedAt = met ? openedAt + Math.random() * 20_000 : null;
    const callDurationMs = met ? Math.round(-Math.log(1 - Math.random()) * 300_000) : 0;
    const closedAt = Math.min(now - 1, (callStartedAt ?? openedAt) + callDurationMs + 1000);
    const room = {
      id: randomUUID(),
      streamId: `room-${i}`,
      nodeId: 'bench',
      openedAt: new Date(openedAt),
      closedAt: new Date(closedAt),
      closeReason: 'empty',
      peakPeers: met ? 2 : 1,
      callStartedAt: callStartedAt === null ? null : new Date(callStartedAt),
      callDurationMs,
    };
    rooms.push(room);
    for (const joinedAt of met ? [openedAt, callStartedAt as number] : [openedAt]) {
      sessions.push({
        id: randomUUID(),
        streamId: room.streamId,
        roomId: room.id,
        connectionId: randomUUID(),
        nodeId: 'bench',
        remoteAddress: '192.0.2.1',
        userAgent: 'Mozilla/5.0 (Linux; Android 14) Chrome/131.0',
        mode: 'both',
        joinedAt: new Date(joinedAt),
        leftAt: new Date(closedAt),
        leaveReason: REASONS[i % REASONS.length],
        messagesRelayed: 40,
        bytesRelayed: 12_000,
      });
    }
  }
  while (sessions.length < rows) sessions.push({ ...(sessions[sessions.length % 1000] as object), id: randomUUID() });
  sessions.length = rows;
  for (let i = 0; i < sessions.length; i += 500) await dataSource.getRepository(PeerSession).insert(sessions.slice(i, i + 500));
  for (let i = 0; i < rooms.length; i += 500) await dataSource.getRepository(RoomRecord).insert(rooms.slice(i, i + 500));
  await dataSource.destroy();
}

async function main(): Promise<void> {
  const rows = Number(option('--rows', '100000'));
  const runs = Number(option('--runs', '20'));
  const postgresUrl = option('--postgres-url', undefined);
  const now = Date.now();
  const folder = mkdtempSync(join(tmpdir(), 'history-aggregates-'));
  let env: Record<string, string>;
  let database: string | undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = postgresUrl ? (require(join(ROOT, 'node_modules', 'pg')) as { Client: new (o: object) => { connect(): Promise<void>; query(sql: string): Promise<unknown>; end(): Promise<void> } }) : undefined;
  const adminQuery = async (sql: string): Promise<void> => {
    const client = new pg!.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  if (postgresUrl) {
    database = `bench_${randomBytes(5).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${database}`);
    const url = new URL(postgresUrl);
    url.pathname = `/${database}`;
    env = { DATABASE_URL: url.toString() };
  } else {
    env = { DATABASE_PATH: join(folder, 'history.sqlite') };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { databaseOptionsFromEnv } = require(join(ROOT, 'dist', 'src', 'persistence', 'database-options.js')) as {
    databaseOptionsFromEnv(env: Record<string, string>): object;
  };
  const seededAt = performance.now();
  await seed(databaseOptionsFromEnv(env), rows, now);
  console.log(`${postgresUrl ? 'PostgreSQL' : 'SQLite'}: ${rows} sessions and ${rows / 2} rooms over 30 days, seeded in ${((performance.now() - seededAt) / 1000).toFixed(1)} s`);

  const app = await ServerProcess.start('app', { root: ROOT, env });
  try {
    const base = app.url.replace(/^ws:/, 'http:').replace(/\/WebRTCAppEE\/websocket$/, '');
    const routes = ['/api/v1/stats/timeseries?bucket=hour', '/api/v1/stats/timeseries?bucket=day', '/api/v1/stats/durations', '/api/v1/stats'];
    console.log('route                                     median    p95     max   (ms, over HTTP, ' + runs + ' calls each)');
    for (const route of routes) {
      const samples = new Samples();
      let check = '';
      for (let i = 0; i < runs + 2; i++) {
        const startedAt = performance.now();
        const response = await fetch(base + route, { headers: { 'X-API-Key': 'bench-admin-key' } });
        const body = (await response.json()) as { points?: { sessions: number }[]; calls?: number; sessions?: number };
        if (!response.ok) throw new Error(`${route}: ${response.status} ${JSON.stringify(body)}`);
        if (i >= 2) samples.add(performance.now() - startedAt); // the first two warm up
        check = body.points ? `${body.points.reduce((n, p) => n + p.sessions, 0)} sessions in ${body.points.length} buckets` : `${body.calls ?? '?'} calls`;
      }
      const { p50, p95, max } = samples.summary();
      console.log(`${route.padEnd(40)} ${p50.toFixed(1).padStart(7)} ${p95.toFixed(1).padStart(7)} ${max.toFixed(1).padStart(7)}   ${check}`);
    }
  } finally {
    await app.stop();
    rmSync(folder, { recursive: true, force: true });
    if (database) await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
