/**
 * Failed history reads: only an outage (database unreachable, closed, locked or timed out) is a 503;
 * a query the database refuses is a 500. Either way the client gets a fixed message, never the
 * driver's (SQL, table names, addresses), which the server logs once, at error level.
 * The classification is checked against errors the real drivers raise.
 */
import { Logger } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Database } from 'sqlite3';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { HistoryQueryService } from '../../src/persistence/history-query.service';
import { HistoryQueryError, isHistoryUnavailable } from '../../src/persistence/history-failure';
import { HistoryUnavailableError } from '../../src/persistence/history-unavailable.error';
import { PeerSession } from '../../src/persistence/entities/peer-session.entity';
import { HISTORY_CONNECTION } from '../../src/persistence/persistence.constants';
import { sqliteOptions } from '../../src/persistence/database-options';
import { admin } from '../support/http';
import { databaseVariants } from '../support/database-variants';
import { startTestApp, type TestApp } from '../support/test-app';

const UUID = '6f1c2c55-4ad5-4c51-9a0a-2b8f3d0f7e21';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('which driver errors are an outage', () => {
  it('SQLite: locked, closed or not connected is an outage; a missing table or a datatype mismatch is not', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'history-failure-')), 'history.sqlite');
    // Without WAL, an exclusive lock held elsewhere keeps readers out: SQLITE_BUSY after the busy timeout.
    const dataSource = new DataSource({ ...sqliteOptions(path), enableWAL: false, busyTimeout: 50, migrationsRun: true } as DataSourceOptions);
    await dataSource.initialize();
    const sessions = dataSource.getRepository(PeerSession);

    const mismatch = await failure(sessions.find({ skip: 1e20, take: 1 }));
    expect(mismatch).toMatchObject({ code: 'SQLITE_MISMATCH' });
    expect(isHistoryUnavailable(mismatch)).toBe(false);

    const missing = await failure(dataSource.query('SELECT * FROM no_such_table'));
    expect(String((missing as Error).message)).toContain('no such table');
    expect(isHistoryUnavailable(missing)).toBe(false);

    const locker = new Database(path);
    await new Promise<void>((resolve, reject) => locker.exec('BEGIN EXCLUSIVE; SELECT 1 FROM peer_sessions;', (e) => (e ? reject(e) : resolve())));
    try {
      const busy = await failure(sessions.find({ take: 1 }));
      expect(busy).toMatchObject({ code: 'SQLITE_BUSY' });
      expect(isHistoryUnavailable(busy)).toBe(true);
    } finally {
      await new Promise<void>((resolve) => locker.exec('ROLLBACK', () => locker.close(() => resolve())));
    }

    const closed = new Database(':memory:');
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const closedError = await new Promise<unknown>((resolve) => closed.all('SELECT 1', (e) => resolve(e)));
    expect(String((closedError as Error).message)).toMatch(/closed/i);
    expect(isHistoryUnavailable(closedError)).toBe(true);

    await dataSource.destroy();
    const notConnected = await failure(sessions.find({ take: 1 }));
    expect(isHistoryUnavailable(notConnected)).toBe(true);
  });

  const postgres = process.env.TEST_POSTGRES_URL ? it : it.skip;
  postgres('PostgreSQL: refused, terminated or timed out is an outage; a syntax or range error is not', async () => {
    const url = process.env.TEST_POSTGRES_URL as string;
    const refused = await failure(new Client({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 2000 }).connect());
    expect(isHistoryUnavailable(refused)).toBe(true);

    const dataSource = new DataSource({ type: 'postgres', url });
    await dataSource.initialize();
    try {
      const syntax = await failure(dataSource.query('SELEC 1'));
      expect(syntax).toMatchObject({ code: '42601' });
      expect(isHistoryUnavailable(syntax)).toBe(false);

      const range = await failure(dataSource.query('SELECT 1 OFFSET 99999999999999999999'));
      expect(String((range as { code?: string }).code)).toMatch(/^22/);
      expect(isHistoryUnavailable(range)).toBe(false);

      const timeout = await failure(
        dataSource.transaction(async (manager) => {
          await manager.query('SET LOCAL statement_timeout = 20');
          await manager.query('SELECT pg_sleep(2)');
        }),
      );
      expect(timeout).toMatchObject({ code: '57014' });
      expect(isHistoryUnavailable(timeout)).toBe(true);
    } finally {
      await dataSource.destroy();
    }

    const victim = new Client({ connectionString: url });
    victim.on('error', () => undefined);
    await victim.connect();
    const pid = (await victim.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const killer = new Client({ connectionString: url });
    await killer.connect();
    await killer.query('SELECT pg_terminate_backend($1)', [pid]);
    await killer.end();
    const terminated = await failure(victim.query('SELECT 1'));
    expect(isHistoryUnavailable(terminated)).toBe(true);
    await victim.end().catch(() => undefined);
  });

  it('looks through TypeORM’s wrapper and the cause chain', () => {
    const driverError = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    expect(isHistoryUnavailable({ name: 'QueryFailedError', driverError })).toBe(true);
    expect(isHistoryUnavailable(new Error('wrapped', { cause: new AggregateError([driverError]) }))).toBe(true);
    expect(isHistoryUnavailable(new RangeError('Invalid time value'))).toBe(false);
    expect(isHistoryUnavailable('SQLITE_BUSY')).toBe(false);
  });
});

describe.each(databaseVariants())('failed history reads over HTTP on $name', (variant) => {
  let t: TestApp;
  let dataSource: DataSource;
  let logged: jest.SpyInstance;
  beforeAll(async () => {
    t = await startTestApp({}, { database: await variant.options() });
    dataSource = t.app.get<DataSource>(getDataSourceToken(HISTORY_CONNECTION));
  });
  beforeEach(() => {
    // recorded, kept out of the test report
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => logged.mockRestore());
  afterAll(async () => {
    if (!dataSource.isInitialized) await dataSource.initialize();
    await t.close();
    await variant.cleanup();
  });

  /** error-level lines, with their logger's context */
  const errorLines = (): Array<{ context: unknown; line: string }> =>
    logged.mock.calls.map((args, i) => ({ context: (logged.mock.contexts[i] as { context?: unknown }).context, line: String(args[0]) }));

  it('a query the database refuses is a 500 with a fixed message; the driver’s message is logged once', async () => {
    await dataSource.query('ALTER TABLE peer_sessions RENAME TO peer_sessions_away');
    try {
      for (const path of ['/api/v1/sessions', `/api/v1/sessions/${UUID}`, '/api/v1/stats']) {
        logged.mockClear();
        const res = await admin(t).get(path).expect(500);
        expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'history query failed' });
        expect(res.text).not.toContain('peer_sessions');
        const lines = errorLines();
        expect(lines).toEqual([{ context: 'AdminApi', line: expect.stringContaining(`GET ${path.split('?')[0]}: 500 history query failed: `) }]);
        expect(lines[0].line).toMatch(/peer_sessions/);
      }
    } finally {
      await dataSource.query('ALTER TABLE peer_sessions_away RENAME TO peer_sessions');
    }
    await admin(t).get('/api/v1/sessions').expect(200);
  });

  it('a value the database cannot take is a HistoryQueryError, not an outage', async () => {
    const history = t.app.get(HistoryQueryService);
    const error = await failure(history.listSessions({ limit: 1, offset: 1e20 }));
    expect(error).toBeInstanceOf(HistoryQueryError);
    expect(error).not.toBeInstanceOf(HistoryUnavailableError);
  });

  it('a database out of reach is a 503 with a fixed message, logged once', async () => {
    await dataSource.destroy();
    try {
      for (const path of ['/api/v1/sessions', '/api/v1/history/rooms', '/api/v1/stats']) {
        logged.mockClear();
        const res = await admin(t).get(path).expect(503);
        expect(res.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'history database unavailable: try again later' });
        expect(res.text).not.toMatch(/sqlite|postgres|connection/i);
        expect(errorLines()).toEqual([{ context: 'AdminApi', line: expect.stringContaining(`GET ${path}: 503 history database unavailable: `) }]);
      }
      // live routes do not read history
      await admin(t).get('/api/v1/rooms').expect(200);
    } finally {
      await dataSource.initialize();
    }
    await admin(t).get('/api/v1/sessions').expect(200);
  });

  it('a bad request is never sent to the database: a huge offset is a 400', async () => {
    const res = await admin(t).get('/api/v1/sessions?offset=99999999999999999999').expect(400);
    expect(res.body.message).toEqual([`offset must not be greater than ${Number.MAX_SAFE_INTEGER}`]);
    expect(errorLines()).toEqual([]);
  });
});
