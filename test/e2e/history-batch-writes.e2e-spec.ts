/**
 * The history writer's statements: each batch is one multi-row statement per table (per chunk under
 * the database's bound-parameter limit), rows that did not change since they were written are left
 * out, values are stored exactly as TypeORM's own insert stores them, and on PostgreSQL a batch that
 * mixes late open rows with new and closing ones keeps the shared-history rule (closed rows are final,
 * a room's figures only grow).
 */
import { randomUUID } from 'node:crypto';
import { DataSource, type DataSourceOptions, type QueryRunner } from 'typeorm';
import { PeerSession } from '../../src/persistence/entities/peer-session.entity';
import { RoomRecord } from '../../src/persistence/entities/room-record.entity';
import { HistoryTable, type PreparedRow } from '../../src/persistence/history-statements';
import { HistoryWriter } from '../../src/persistence/history-writer.service';
import { SignalingEventType } from '../../src/signaling/events/signaling-event';
import { SignalingEvents } from '../../src/signaling/events/signaling-events.service';
import { LeaveReason } from '../../src/signaling/protocol/leave-reason.enum';
import type { RoomMember, RoomSnapshot } from '../../src/signaling/rooms/room-member';
import { RoomRegistry } from '../../src/signaling/rooms/room-registry';
import { databaseVariants } from '../support/database-variants';
import { startTestApp, type TestApp } from '../support/test-app';

const HOUR = 3_600_000;

interface Statement {
  sql: string;
  parameters: unknown[];
}

/** Records every query of the data source's query runners (the writer's transactions included). */
function recordQueries(dataSource: DataSource): { writes(): Statement[]; clear(): void } {
  const statements: Statement[] = [];
  const spied = new WeakSet<QueryRunner>();
  const create = dataSource.createQueryRunner.bind(dataSource);
  jest.spyOn(dataSource, 'createQueryRunner').mockImplementation((mode) => {
    const runner = create(mode);
    if (!spied.has(runner)) {
      // SQLite hands out one runner for all: spied once
      spied.add(runner);
      const query = runner.query.bind(runner) as (sql: string, parameters?: unknown[], structured?: boolean) => Promise<unknown>;
      jest.spyOn(runner, 'query').mockImplementation(((sql: string, parameters?: unknown[], structured?: boolean) => {
        statements.push({ sql, parameters: parameters ?? [] });
        return query(sql, parameters, structured);
      }) as never);
    }
    return runner;
  });
  return {
    writes: () => statements.filter((statement) => /^(INSERT|UPDATE|WITH|DELETE)\b/i.test(statement.sql)),
    clear: () => void (statements.length = 0),
  };
}

const table = (statement: Statement): string => /(?:INTO|UPDATE) "(\w+)"/.exec(statement.sql)?.[1] ?? '?';

function roomSnapshot(overrides: Partial<RoomSnapshot> = {}): RoomSnapshot {
  return {
    id: randomUUID(),
    streamId: 'batch',
    nodeId: 'node-a',
    openedAt: new Date('2026-01-02T03:04:05.678Z'),
    callStartedAt: undefined,
    peakPeers: 1,
    callDurationMs: 0,
    members: [],
    ...overrides,
  };
}

function member(room: RoomSnapshot, overrides: Partial<RoomMember> = {}): RoomMember {
  return {
    sessionId: randomUUID(),
    connectionId: randomUUID(),
    nodeId: 'node-a',
    remoteAddress: '192.0.2.1',
    userAgent: "Mozilla/5.0 (it's \"quoted\"); DROP TABLE peer_sessions; --",
    mode: 'both',
    streamId: room.streamId,
    roomId: room.id,
    joinedAt: new Date('2026-01-02T03:04:05.679Z'),
    peer: undefined,
    messagesRelayed: 0,
    bytesRelayed: 0,
    ...overrides,
  };
}

/** The columns of a row as the driver returns them, id left out. */
async function rawRow(dataSource: DataSource, tableName: string, id: string): Promise<Record<string, unknown>> {
  const placeholder = dataSource.options.type === 'postgres' ? '$1' : '?';
  const [row] = (await dataSource.query(`SELECT * FROM "${tableName}" WHERE "id" = ${placeholder}`, [id])) as Record<string, unknown>[];
  const { id: _id, ...columns } = row;
  return columns;
}

/** SQLite: the storage class of each column (INTEGER, not REAL, for counters bound as JS numbers). */
async function storageClasses(dataSource: DataSource, tableName: string, id: string): Promise<Record<string, unknown> | undefined> {
  if (dataSource.options.type === 'postgres') return undefined;
  const columns = dataSource.getMetadata(tableName).columns.filter((column) => column.propertyName !== 'id');
  const select = columns.map((column) => `typeof("${column.databaseName}") AS "${column.databaseName}"`).join(', ');
  const [row] = (await dataSource.query(`SELECT ${select} FROM "${tableName}" WHERE "id" = ?`, [id])) as Record<string, unknown>[];
  return row;
}

describe.each(databaseVariants())('history batch writes on $name', (variant) => {
  let t: TestApp;
  let events: SignalingEvents;
  let writer: HistoryWriter;
  let registry: RoomRegistry;
  let dataSource: DataSource;
  let queries: ReturnType<typeof recordQueries>;

  beforeAll(async () => {
    // timers an hour away: the tests decide what each batch holds
    t = await startTestApp({}, { database: await variant.options(), history: { flushIntervalMs: HOUR, counterFlushIntervalMs: HOUR } });
    events = t.app.get(SignalingEvents);
    writer = t.app.get(HistoryWriter);
    registry = t.app.get(RoomRegistry);
    dataSource = (writer as unknown as { dataSource: DataSource }).dataSource;
    queries = recordQueries(dataSource);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
    await variant.cleanup();
  });

  beforeEach(() => queries.clear());

  /** Relay counters of `members` as the periodic collection hands them to the writer. */
  async function collectCounters(members: RoomMember[]): Promise<void> {
    const spy = jest.spyOn(registry, 'listLocalMembers').mockResolvedValue(members);
    try {
      await (writer as unknown as { collectCounters(): Promise<void> }).collectCounters();
    } finally {
      spy.mockRestore();
    }
  }

  it('writes a batch of N sessions with one statement per table, values bound', async () => {
    const rooms = Array.from({ length: 150 }, () => roomSnapshot());
    const members = rooms.flatMap((room) => [member(room), member(room)]);
    for (const room of rooms) events.emit({ type: SignalingEventType.RoomOpened, at: room.openedAt, streamId: room.streamId, room });
    for (const m of members) events.emit({ type: SignalingEventType.PeerJoined, at: m.joinedAt, member: m });
    const written = writer.stats.rowsWritten;
    await writer.flush();
    let writes = queries.writes();
    expect(writes.map(table)).toEqual(['room_records', 'peer_sessions']);
    expect(writes.map((w) => w.parameters.length)).toEqual([150 * 9, 300 * 13]);
    for (const w of writes) {
      expect(w.sql).toMatch(/^INSERT INTO "\w+" \(.+\) VALUES \(.+\), \(.+ ON CONFLICT \("id"\) DO UPDATE SET /);
      expect(w.sql).not.toContain(members[0].sessionId);
      expect(w.sql).not.toContain('DROP TABLE');
    }
    expect(writer.stats.rowsWritten - written).toBe(450);

    // the periodic relay counters of the 300 active sessions: one UPDATE … FROM (VALUES …)
    queries.clear();
    members.forEach((m, i) => Object.assign(m, { messagesRelayed: i + 1, bytesRelayed: (i + 1) * 100 }));
    await collectCounters(members);
    await writer.flush();
    writes = queries.writes();
    expect(writes.map(table)).toEqual(['peer_sessions']);
    expect(writes[0].sql).toMatch(/^WITH "v" \("id", "messagesRelayed", "bytesRelayed"\) AS \(VALUES .+\) UPDATE "peer_sessions" SET /);
    expect(writes[0].parameters).toHaveLength(300 * 3);

    // all leave, the rooms close
    queries.clear();
    for (const m of members) events.emit({ type: SignalingEventType.PeerLeft, at: new Date(), member: m, reason: LeaveReason.Leave });
    for (const room of rooms) events.emit({ type: SignalingEventType.RoomClosed, at: new Date(), room });
    await writer.flush();
    expect(queries.writes().map(table)).toEqual(['room_records', 'peer_sessions']);

    const sessions = await dataSource.getRepository(PeerSession).findBy({ streamId: 'batch' });
    const ours = new Set(members.map((m) => m.sessionId));
    const stored = sessions.filter((s) => ours.has(s.id));
    expect(stored).toHaveLength(300);
    expect(stored.every((s) => s.leftAt instanceof Date && s.leaveReason === 'leave')).toBe(true);
    const byId = new Map(stored.map((s) => [s.id, s]));
    members.forEach((m) => expect(byId.get(m.sessionId)).toMatchObject({ messagesRelayed: m.messagesRelayed, userAgent: m.userAgent }));
  });

  it('splits a batch above the parameter limit into chunks that stay under it', async () => {
    const limit = variant.name === 'PostgreSQL' ? 65_535 : 32_766;
    const room = roomSnapshot();
    const members = Array.from({ length: 6_000 }, () => member(room));
    for (const m of members) events.emit({ type: SignalingEventType.PeerJoined, at: m.joinedAt, member: m });
    await writer.flush();
    const writes = queries.writes();
    const perStatement = Math.floor(limit / 13);
    expect(writes.map((w) => w.parameters.length)).toEqual(
      Array.from({ length: Math.ceil(6_000 / perStatement) }, (_, i) => Math.min(perStatement, 6_000 - i * perStatement) * 13),
    );
    expect(await dataSource.getRepository(PeerSession).countBy({ roomId: room.id })).toBe(6_000);
  });

  it('does not write again a row that did not change, nor counters that did not', async () => {
    const room = roomSnapshot({ peakPeers: 2, callStartedAt: new Date('2026-01-02T03:04:06.001Z') });
    const m = member(room, { messagesRelayed: 7, bytesRelayed: 700 });
    events.emit({ type: SignalingEventType.RoomOpened, at: room.openedAt, streamId: room.streamId, room });
    events.emit({ type: SignalingEventType.PeerJoined, at: m.joinedAt, member: m });
    await writer.flush();
    expect(queries.writes().map(table)).toEqual(['room_records', 'peer_sessions']);

    // the same states again (new objects), and counters equal to those the row was written with
    queries.clear();
    const written = writer.stats.rowsWritten;
    events.emit({ type: SignalingEventType.RoomOpened, at: room.openedAt, streamId: room.streamId, room: { ...room, openedAt: new Date(room.openedAt) } });
    events.emit({ type: SignalingEventType.PeerJoined, at: m.joinedAt, member: { ...m } });
    await collectCounters([m]);
    expect(writer.queueDepth).toBe(3);
    await writer.flush();
    expect(queries.writes()).toEqual([]);
    expect(writer.queueDepth).toBe(0);
    expect(writer.stats.rowsWritten - written).toBe(3); // handled: the database already holds them

    // one of two rooms changed: only it is written; counters that moved are written
    queries.clear();
    const other = roomSnapshot();
    events.emit({ type: SignalingEventType.RoomOpened, at: other.openedAt, streamId: other.streamId, room: other });
    events.emit({ type: SignalingEventType.RoomOpened, at: room.openedAt, streamId: room.streamId, room: { ...room } });
    await collectCounters([{ ...m, messagesRelayed: 8, bytesRelayed: 800 }]);
    await writer.flush();
    const writes = queries.writes();
    expect(writes.map(table)).toEqual(['room_records', 'peer_sessions']);
    expect(writes[0].parameters).toHaveLength(9);
    expect(writes[0].parameters).toContain(other.id);
    expect(await dataSource.getRepository(PeerSession).findOneByOrFail({ id: m.sessionId })).toMatchObject({ messagesRelayed: 8, bytesRelayed: 800 });

    // the closing row
    queries.clear();
    events.emit({ type: SignalingEventType.PeerLeft, at: new Date(), member: { ...m, messagesRelayed: 9, bytesRelayed: 900 }, reason: LeaveReason.Leave });
    await writer.flush();
    expect(queries.writes().map(table)).toEqual(['peer_sessions']);
    expect(await dataSource.getRepository(PeerSession).findOneByOrFail({ id: m.sessionId })).toMatchObject({
      leaveReason: 'leave',
      messagesRelayed: 9,
      bytesRelayed: 900,
    });
  });

  it('a batch that failed is written in full at the retry', async () => {
    const room = roomSnapshot();
    events.emit({ type: SignalingEventType.RoomOpened, at: room.openedAt, streamId: room.streamId, room });
    const failing = jest.spyOn(dataSource, 'transaction').mockRejectedValueOnce(new Error('database is locked'));
    await expect(writer.flush()).rejects.toThrow('database is locked');
    failing.mockRestore();
    // the same state again: the failed write left nothing remembered, so it is written
    events.emit({ type: SignalingEventType.RoomOpened, at: room.openedAt, streamId: room.streamId, room: { ...room } });
    await writer.flush();
    expect(queries.writes().map(table)).toEqual(['room_records']);
    expect(await dataSource.getRepository(RoomRecord).findOneByOrFail({ id: room.id })).toMatchObject({ closedAt: null });
  });

  it('values round-trip exactly and are stored as TypeORM stores them: dates with ms, bigint above 2^32, nulls', async () => {
    const room = roomSnapshot({
      streamId: 'round-trip',
      nodeId: 'node-x',
      openedAt: new Date('2026-05-06T07:08:09.012Z'),
      callStartedAt: new Date('2026-05-06T07:08:10.999Z'),
      peakPeers: 2,
      callDurationMs: 2 ** 32 + 123,
    });
    const m = member(room, {
      joinedAt: new Date('2026-05-06T07:08:09.001Z'),
      messagesRelayed: 2 ** 40 + 1,
      bytesRelayed: 2 ** 52 + 3,
    });
    events.emit({ type: SignalingEventType.CallStarted, at: room.callStartedAt!, streamId: room.streamId, room, offerer: m, answerer: m });
    events.emit({ type: SignalingEventType.PeerJoined, at: m.joinedAt, member: m });
    await writer.flush();

    const expectedRoom: RoomRecord = {
      id: room.id,
      streamId: 'round-trip',
      nodeId: 'node-x',
      openedAt: new Date('2026-05-06T07:08:09.012Z'),
      closedAt: null,
      closeReason: null,
      peakPeers: 2,
      callStartedAt: new Date('2026-05-06T07:08:10.999Z'),
      callDurationMs: 2 ** 32 + 123,
    };
    const expectedSession: PeerSession = {
      id: m.sessionId,
      streamId: 'round-trip',
      roomId: room.id,
      connectionId: m.connectionId,
      nodeId: 'node-a',
      remoteAddress: '192.0.2.1',
      userAgent: m.userAgent,
      mode: 'both',
      joinedAt: new Date('2026-05-06T07:08:09.001Z'),
      leftAt: null,
      leaveReason: null,
      messagesRelayed: 2 ** 40 + 1,
      bytesRelayed: 2 ** 52 + 3,
    };
    const rooms = dataSource.getRepository(RoomRecord);
    const sessions = dataSource.getRepository(PeerSession);
    expect(await rooms.findOneByOrFail({ id: room.id })).toEqual(expectedRoom);
    expect(await sessions.findOneByOrFail({ id: m.sessionId })).toEqual(expectedSession);

    /** The same row written by TypeORM's repository: stored identically, column by column. */
    const sameAsTypeOrm = async <T extends { id: string }>(entity: new () => T, tableName: string, row: T): Promise<void> => {
      const reference = { ...row, id: randomUUID() };
      await dataSource.getRepository(entity).insert(reference as never);
      expect(await rawRow(dataSource, tableName, row.id)).toEqual(await rawRow(dataSource, tableName, reference.id));
      expect(await storageClasses(dataSource, tableName, row.id)).toEqual(await storageClasses(dataSource, tableName, reference.id));
    };
    await sameAsTypeOrm(RoomRecord, 'room_records', expectedRoom);
    await sameAsTypeOrm(PeerSession, 'peer_sessions', expectedSession);
    if (variant.name === 'SQLite') {
      expect(await storageClasses(dataSource, 'peer_sessions', m.sessionId)).toMatchObject({ messagesRelayed: 'integer', leftAt: 'null' });
    }

    // counters through UPDATE … FROM (VALUES …), then the closed rows
    await collectCounters([{ ...m, messagesRelayed: 2 ** 33 + 7, bytesRelayed: 2 ** 45 + 9 }]);
    await writer.flush();
    expect(await sessions.findOneByOrFail({ id: m.sessionId })).toEqual({ ...expectedSession, messagesRelayed: 2 ** 33 + 7, bytesRelayed: 2 ** 45 + 9 });
    await sameAsTypeOrm(PeerSession, 'peer_sessions', { ...expectedSession, messagesRelayed: 2 ** 33 + 7, bytesRelayed: 2 ** 45 + 9 });

    const leftAt = new Date('2026-05-06T08:00:00.457Z');
    events.emit({ type: SignalingEventType.PeerLeft, at: leftAt, member: { ...m, messagesRelayed: 2 ** 34, bytesRelayed: 2 ** 46 }, reason: LeaveReason.Timeout });
    events.emit({ type: SignalingEventType.RoomClosed, at: new Date('2026-05-06T08:00:00.458Z'), room: { ...room, callDurationMs: 2 ** 35 } });
    await writer.flush();
    const closedSession = { ...expectedSession, leftAt, leaveReason: 'timeout', messagesRelayed: 2 ** 34, bytesRelayed: 2 ** 46 };
    const closedRoom = { ...expectedRoom, closedAt: new Date('2026-05-06T08:00:00.458Z'), closeReason: 'empty', callDurationMs: 2 ** 35 };
    expect(await sessions.findOneByOrFail({ id: m.sessionId })).toEqual(closedSession);
    expect(await rooms.findOneByOrFail({ id: room.id })).toEqual(closedRoom);
    await sameAsTypeOrm(PeerSession, 'peer_sessions', closedSession);
    await sameAsTypeOrm(RoomRecord, 'room_records', closedRoom);
  });

  it('chunks for an old SQLite build (999 parameters), and per-row counter updates without UPDATE … FROM', async () => {
    const table999 = new HistoryTable(dataSource, PeerSession, { closedBy: 'leftAt', growing: [] }, {
      maxParameters: 999,
      updateFrom: variant.name === 'PostgreSQL', // PostgreSQL always has it; SQLite before 3.33 does not
      postgres: variant.name === 'PostgreSQL',
    });
    expect(table999.rowsPerStatement).toBe(76);
    const room = roomSnapshot();
    const rows: PeerSession[] = Array.from({ length: 200 }, (_, i) => ({
      id: randomUUID(),
      streamId: 'old-sqlite',
      roomId: room.id,
      connectionId: randomUUID(),
      nodeId: 'node-a',
      remoteAddress: '192.0.2.1',
      userAgent: 'test',
      mode: 'both',
      joinedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)),
      leftAt: i % 2 ? new Date(Date.UTC(2026, 0, 1, 1, 0, 0, i)) : null,
      leaveReason: i % 2 ? 'leave' : null,
      messagesRelayed: i,
      bytesRelayed: 2 ** 33 + i,
    }));
    const runner = dataSource.createQueryRunner();
    try {
      const prepared = table999.changedRows(rows);
      await table999.upsert(runner, prepared);
      expect(queries.writes().map((s) => s.parameters.length)).toEqual([76 * 13, 76 * 13, 48 * 13]);

      queries.clear();
      const updates = rows.map((row): [string, Partial<PeerSession>] => [row.id, { messagesRelayed: row.messagesRelayed + 1_000, bytesRelayed: 2 ** 40 }]);
      const changed: PreparedRow[] = table999.changedUpdates(updates, ['messagesRelayed', 'bytesRelayed'], prepared);
      await table999.updateOpen(runner, ['messagesRelayed', 'bytesRelayed'], changed);
      expect(queries.writes()).toHaveLength(variant.name === 'PostgreSQL' ? 1 : 200);
    } finally {
      await runner.release();
    }
    const stored = new Map((await dataSource.getRepository(PeerSession).findBy({ roomId: room.id })).map((row) => [row.id, row]));
    expect(stored.size).toBe(200);
    rows.forEach((row, i) =>
      // open rows took the counters, closed ones kept theirs
      expect(stored.get(row.id)).toEqual(i % 2 ? row : { ...row, messagesRelayed: row.messagesRelayed + 1_000, bytesRelayed: 2 ** 40 }),
    );
  });

  if (variant.name === 'PostgreSQL') {
    it('one statement per table keeps the shared-history rule: closed rows are final, room figures only grow', async () => {
      const closedRoom = roomSnapshot({ peakPeers: 2, callStartedAt: new Date(3_000), callDurationMs: 5_000 });
      const grownRoom = roomSnapshot({ peakPeers: 2, callStartedAt: new Date(3_000), callDurationMs: 4_000 });
      const closingRoom = roomSnapshot();
      const newRoom = roomSnapshot();
      const closedSession = member(closedRoom, { messagesRelayed: 7 });
      const closingSession = member(closingRoom);
      const newSession = member(newRoom);
      // what other nodes (or earlier batches) stored
      events.emit({ type: SignalingEventType.RoomClosed, at: new Date(9_000), room: closedRoom });
      events.emit({ type: SignalingEventType.RoomOpened, at: grownRoom.openedAt, streamId: grownRoom.streamId, room: grownRoom });
      events.emit({ type: SignalingEventType.RoomOpened, at: closingRoom.openedAt, streamId: closingRoom.streamId, room: closingRoom });
      events.emit({ type: SignalingEventType.PeerLeft, at: new Date(8_000), member: closedSession, reason: LeaveReason.Disconnect });
      events.emit({ type: SignalingEventType.PeerJoined, at: closingSession.joinedAt, member: closingSession });
      await writer.flush();

      queries.clear();
      // one batch: late open states, a lower figure, a closing row, new rows
      events.emit({ type: SignalingEventType.RoomOpened, at: new Date(1_000), streamId: 'batch', room: { ...closedRoom, peakPeers: 1, callStartedAt: undefined, callDurationMs: 0 } });
      events.emit({ type: SignalingEventType.CallStarted, at: new Date(3_000), streamId: 'batch', room: { ...grownRoom, callDurationMs: 1_000 }, offerer: closingSession, answerer: closingSession });
      events.emit({ type: SignalingEventType.RoomClosed, at: new Date(7_000), room: { ...closingRoom, callDurationMs: 0 } });
      events.emit({ type: SignalingEventType.RoomOpened, at: newRoom.openedAt, streamId: newRoom.streamId, room: newRoom });
      events.emit({ type: SignalingEventType.PeerJoined, at: closedSession.joinedAt, member: { ...closedSession, messagesRelayed: 0 } });
      events.emit({ type: SignalingEventType.PeerLeft, at: new Date(6_000), member: closingSession, reason: LeaveReason.Leave });
      events.emit({ type: SignalingEventType.PeerJoined, at: newSession.joinedAt, member: newSession });
      await writer.flush();
      expect(queries.writes().map(table)).toEqual(['room_records', 'peer_sessions']);

      const rooms = dataSource.getRepository(RoomRecord);
      const sessions = dataSource.getRepository(PeerSession);
      expect(await rooms.findOneByOrFail({ id: closedRoom.id })).toMatchObject({ closedAt: new Date(9_000), peakPeers: 2, callDurationMs: 5_000 });
      expect(await rooms.findOneByOrFail({ id: grownRoom.id })).toMatchObject({ closedAt: null, callDurationMs: 4_000 });
      expect(await rooms.findOneByOrFail({ id: closingRoom.id })).toMatchObject({ closedAt: new Date(7_000), closeReason: 'empty' });
      expect(await rooms.findOneByOrFail({ id: newRoom.id })).toMatchObject({ closedAt: null, peakPeers: 1 });
      expect(await sessions.findOneByOrFail({ id: closedSession.sessionId })).toMatchObject({ leftAt: new Date(8_000), leaveReason: 'disconnect', messagesRelayed: 7 });
      expect(await sessions.findOneByOrFail({ id: closingSession.sessionId })).toMatchObject({ leftAt: new Date(6_000), leaveReason: 'leave' });
      expect(await sessions.findOneByOrFail({ id: newSession.sessionId })).toMatchObject({ leftAt: null });

      // a grown open state does overwrite
      queries.clear();
      events.emit({ type: SignalingEventType.CallStarted, at: new Date(3_000), streamId: 'batch', room: { ...grownRoom, peakPeers: 2, callDurationMs: 6_000 }, offerer: closingSession, answerer: closingSession });
      await writer.flush();
      expect(await rooms.findOneByOrFail({ id: grownRoom.id })).toMatchObject({ closedAt: null, callDurationMs: 6_000 });
    });
  }
});
