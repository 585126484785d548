import { getDataSourceToken } from '@nestjs/typeorm';
import { Client } from 'pg';
import sqlite3 from 'sqlite3';
import { IsNull, type DataSource, type DataSourceOptions } from 'typeorm';
import { PeerSession } from '../../src/persistence/entities/peer-session.entity';
import { RoomRecord } from '../../src/persistence/entities/room-record.entity';
import { HistoryWriter } from '../../src/persistence/history-writer.service';
import { HISTORY_CONNECTION } from '../../src/persistence/persistence.constants';
import { SignalingEventType } from '../../src/signaling/events/signaling-event';
import { SignalingEvents } from '../../src/signaling/events/signaling-events.service';
import { databaseVariants } from '../support/database-variants';
import { exactCall, realisticSdp } from '../support/exact-call';
import { admin } from '../support/http';
import { ProcessFaultRecorder } from '../support/process-faults';
import { startTestApp, type TestApp } from '../support/test-app';
import { sleep, waitUntil } from '../support/wait';
import { printFigures } from '../support/figures';

/**
 * The history database stops taking writes while calls go on, then takes them again: signaling
 * must not notice, and history must catch up with nothing lost. SQLite: a second connection holds
 * the write lock (BEGIN EXCLUSIVE), so the app's writes fail with SQLITE_BUSY after its busy timeout
 * (chmod would not stop root). PostgreSQL: the database is made read-only by default and the app's
 * connections are terminated, so the pool reconnects into read-only sessions.
 */
const MIN_OUTAGE_MS = 2500;

interface Outage {
  how: string;
  begin(): Promise<void>;
  end(): Promise<void>;
}

function sqliteOutage(options: DataSourceOptions): Outage {
  let lock: sqlite3.Database | undefined;
  const run = (db: sqlite3.Database, sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (e) => (e ? reject(e) : resolve())));
  return {
    how: 'a second connection holds the write lock (BEGIN EXCLUSIVE)',
    async begin() {
      lock = await new Promise<sqlite3.Database>((resolve, reject) => {
        const db = new sqlite3.Database(options.database as string, (e) => (e ? reject(e) : resolve(db)));
      });
      lock.configure('busyTimeout', 10_000);
      await run(lock, 'BEGIN EXCLUSIVE');
    },
    async end() {
      if (!lock) return;
      const db = lock;
      lock = undefined;
      await run(db, 'ROLLBACK');
      await new Promise<void>((resolve) => db.close(() => resolve()));
    },
  };
}

function postgresOutage(options: DataSourceOptions): Outage {
  const url = new URL((options as { url: string }).url);
  const database = url.pathname.slice(1);
  const serverUrl = process.env.TEST_POSTGRES_URL as string;
  const sql = async (...statements: string[]) => {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const terminate = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND pid <> pg_backend_pid()`;
  return {
    how: 'the database is read-only by default and the app’s connections are terminated',
    begin: () => sql(`ALTER DATABASE ${database} SET default_transaction_read_only = on`, terminate),
    end: () => sql(`ALTER DATABASE ${database} SET default_transaction_read_only = off`, terminate),
  };
}

describe.each(databaseVariants())('history database unwritable mid-run ($name)', (variant) => {
  let faults: ProcessFaultRecorder;
  beforeAll(() => {
    faults = ProcessFaultRecorder.install();
  });
  afterAll(async () => {
    faults.uninstall();
    await variant.cleanup();
  });

  it('calls connect and relay during the outage; afterwards history catches up with nothing lost', async () => {
    const options = await variant.options();
    const outage = variant.name === 'SQLite' ? sqliteOutage(options) : postgresOutage(options);
    let t: TestApp | undefined;
    try {
      t = await startTestApp({}, { database: options });
      const app = t;
      const writer = app.app.get(HistoryWriter);
      const joins = new Set<string>();
      let roomsOpened = 0;
      const unsubscribe = app.app.get(SignalingEvents).subscribe((event) => {
        if (event.type === SignalingEventType.PeerJoined) joins.add(event.member.sessionId);
        if (event.type === SignalingEventType.RoomOpened) roomsOpened++;
      });

      await exactCall(await app.connect(), await app.connect(), 'before-outage');
      await writer.flush();
      expect(writer.stats.failedFlushes).toBe(0);

      await outage.begin();
      const outageStarted = Date.now();
      // complete calls, side by side
      const callTimes = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const started = Date.now();
          await exactCall(await app.connect(), await app.connect(), `outage-call-${i}`);
          return Date.now() - started;
        }),
      );
      // calls cut short: one peer vanishes
      for (let i = 0; i < 2; i++) {
        const [a, b] = [await app.connect(), await app.connect()];
        a.send({ command: 'join', streamId: `outage-cut-${i}` });
        await a.next();
        b.send({ command: 'join', streamId: `outage-cut-${i}` });
        await a.next();
        await b.next();
        b.terminate();
        expect(await a.next()).toEqual({ command: 'stop', streamId: `outage-cut-${i}` });
        a.close();
      }
      // calls that outlive the outage
      const lasting = [];
      for (let i = 0; i < 2; i++) {
        const streamId = `outage-lasting-${i}`;
        const [a, b] = [await app.connect(), await app.connect()];
        a.send({ command: 'join', streamId });
        await a.next();
        b.send({ command: 'join', streamId });
        await a.next();
        await b.next();
        const sdp = realisticSdp('offer', i);
        a.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp });
        expect(await b.next()).toEqual({ command: 'takeConfiguration', streamId, type: 'offer', sdp, idMapping: {} });
        lasting.push({ a, b, streamId });
      }
      // the admin API still answers: reads work, after the flush each read first tries has failed
      // (SQLite: after the 5 s busy timeout, behind the writer's own attempt)
      const adminStarted = Date.now();
      const adminAnswer = await admin(app)
        .get('/api/v1/sessions?limit=1')
        .then((response) => ({ status: response.status, ms: Date.now() - adminStarted }));
      expect(adminAnswer.status).toBe(200);
      expect(adminAnswer.ms).toBeLessThan(15_000);
      await waitUntil(() => writer.stats.failedFlushes > 0, 20_000, 'a failed history write');
      await sleep(MIN_OUTAGE_MS - (Date.now() - outageStarted)); // the writer's own timer meets the outage too
      const pendingAtEnd = writer.queueDepth;
      expect(pendingAtEnd).toBeGreaterThan(0);
      await outage.end();
      const outageEnded = Date.now();

      for (const { a, b, streamId } of lasting) {
        a.send({ command: 'leave', streamId });
        expect(await b.next()).toEqual({ command: 'stop', streamId });
        expect(await a.next()).toEqual({ command: 'notification', definition: 'leaved', streamId });
        b.close();
      }
      unsubscribe();

      // the writer's own timer catches up (after its backoff), no admin read or flush from the test
      const dataSource = app.app.get<DataSource>(getDataSourceToken(HISTORY_CONNECTION));
      const sessionRows = dataSource.getRepository(PeerSession);
      await waitUntil(
        async () => writer.queueDepth === 0 && (await sessionRows.count()) === joins.size && (await sessionRows.countBy({ leftAt: IsNull() })) === 0,
        40_000,
        'the history writer to catch up',
        100,
      );
      const caughtUpMs = Date.now() - outageEnded;
      const sessions = await sessionRows.find();
      const rooms = await dataSource.getRepository(RoomRecord).find();
      const written = sessions.filter((s) => joins.has(s.id));
      printFigures(`db-outage-${variant.name}`, {
        outageSeconds: ((outageEnded - outageStarted) / 1000).toFixed(1),
        callsCompleted: 8,
        slowestCallMs: Math.max(...callTimes),
        adminAnswerMs: adminAnswer.ms,
        pendingRows: pendingAtEnd,
        caughtUpSeconds: (caughtUpMs / 1000).toFixed(1),
        sessionRows: `${written.length}/${joins.size}`,
        openSessions: sessions.filter((s) => s.leftAt === null).length,
        roomRows: `${rooms.length}/${roomsOpened}`,
        failedFlushes: writer.stats.failedFlushes,
        droppedRows: writer.stats.droppedRows,
      });
      expect(written).toHaveLength(joins.size);
      expect(sessions).toHaveLength(joins.size);
      expect(sessions.filter((s) => s.leftAt === null)).toEqual([]);
      expect(rooms).toHaveLength(roomsOpened);
      expect(rooms.filter((r) => r.closedAt === null || r.closeReason !== 'empty')).toEqual([]);
      expect(writer.stats.failedFlushes).toBeGreaterThan(0);
      expect(writer.stats.droppedRows).toBe(0);
      expect(Math.max(...callTimes)).toBeLessThan(2000);
      expect(faults.faults).toEqual([]);
    } finally {
      await outage.end().catch(() => undefined);
      await t?.close().catch(() => undefined);
    }
  }, 90_000);

  it('a shutdown during the outage ends in bounded time; the next boot closes the sessions it could not', async () => {
    const options = await variant.options();
    const outage = variant.name === 'SQLite' ? sqliteOutage(options) : postgresOutage(options);
    // at fatal level: the writer's error about the rows it cannot write at shutdown is expected here
    let t: TestApp | undefined = await startTestApp({}, { database: options, logLevels: ['fatal'] });
    try {
      const [a, b] = [await t.connect(), await t.connect()];
      a.send({ command: 'join', streamId: 'before-shutdown' });
      await a.next();
      b.send({ command: 'join', streamId: 'before-shutdown' });
      await a.next();
      await b.next();
      await t.app.get(HistoryWriter).flush(); // two open sessions and their room are in the database
      await outage.begin();
      const c = await t.connect();
      c.send({ command: 'join', streamId: 'during-outage' });
      await c.next();
      const closing = Date.now();
      await t.app.close(); // sessions end with `shutdown` in memory; the flush that would write them fails
      const closeMs = Date.now() - closing;
      t = undefined;
      expect(closeMs).toBeLessThan(12_000);
      for (const client of [a, b, c]) expect(await client.closed()).toBe(1001);
      await outage.end();

      const next = await startTestApp({}, { database: options });
      try {
        const dataSource = next.app.get<DataSource>(getDataSourceToken(HISTORY_CONNECTION));
        const sessions = await dataSource.getRepository(PeerSession).find();
        const rooms = await dataSource.getRepository(RoomRecord).find();
        printFigures(`db-outage-shutdown-${variant.name}`, {
          closeMs,
          restartClosedSessions: sessions.filter((s) => s.leaveReason === 'server_restart').length,
          restartClosedRooms: rooms.filter((r) => r.closeReason === 'server_restart').length,
          activeSessions: sessions.filter((s) => s.leftAt === null).length,
          rowsLostDuringOutage: 1,
        });
        expect(sessions.map((s) => [s.streamId, s.leaveReason])).toEqual([
          ['before-shutdown', 'server_restart'],
          ['before-shutdown', 'server_restart'],
        ]);
        expect(rooms.map((r) => [r.streamId, r.closeReason])).toEqual([['before-shutdown', 'server_restart']]);
      } finally {
        await next.close();
      }
    } finally {
      await outage.end().catch(() => undefined);
      await t?.close().catch(() => undefined);
    }
  }, 60_000);
});
