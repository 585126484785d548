/**
 * The admin API's aggregate routes (the operator console's charts): calls, sessions and leave reasons
 * per hour or day, and the call duration distribution, computed in SQL on SQLite and PostgreSQL
 * against rows the test writes: bucket edges, empty buckets, the window's edges, bad input.
 */
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { PeerSession } from '../../src/persistence/entities/peer-session.entity';
import { RoomRecord } from '../../src/persistence/entities/room-record.entity';
import { HISTORY_CONNECTION } from '../../src/persistence/persistence.constants';
import { databaseVariants } from '../support/database-variants';
import { admin } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A fixed origin, so buckets are known: 2026-03-01T00:00:00Z. */
const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0 + ms);

function session(joinedAt: Date, leftAt: Date | null = null, leaveReason: string | null = null): PeerSession {
  return {
    id: randomUUID(),
    streamId: 'agg',
    roomId: randomUUID(),
    connectionId: randomUUID(),
    nodeId: 'test-node',
    remoteAddress: '192.0.2.7',
    userAgent: 'test',
    mode: 'both',
    joinedAt,
    leftAt,
    leaveReason,
    messagesRelayed: 0,
    bytesRelayed: 0,
  };
}

function room(openedAt: Date, callStartedAt: Date | null, callDurationMs: number, closedAt: Date | null): RoomRecord {
  return {
    id: randomUUID(),
    streamId: 'agg',
    nodeId: 'test-node',
    openedAt,
    closedAt,
    closeReason: closedAt ? 'empty' : null,
    peakPeers: callStartedAt ? 2 : 1,
    callStartedAt,
    callDurationMs,
  };
}

describe.each(databaseVariants())('stats aggregates on $name', (variant) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { database: await variant.options() });
    const dataSource = t.app.get<DataSource>(getDataSourceToken(HISTORY_CONNECTION));
    await dataSource.getRepository(PeerSession).save([
      session(at(-1)), // 1 ms before the window: never counted
      session(at(0)), // the window's first instant: bucket 0
      session(at(HOUR - 1), at(HOUR), 'leave'), // last ms of bucket 0; ends at the first instant of bucket 1
      session(at(HOUR), at(2 * HOUR + 30_000), 'disconnect'), // bucket 1; ends in bucket 2
      session(at(HOUR + 5), at(2 * HOUR + 31_000), 'disconnect'),
      session(at(2 * HOUR), at(2 * HOUR + 1), 'timeout'),
      session(at(5 * HOUR + 59 * 60_000), at(6 * HOUR), 'kicked'), // ends exactly at `to` of a 6 h window: outside
      session(at(25 * HOUR)), // the second day
    ]);
    await dataSource.getRepository(RoomRecord).save([
      room(at(-HOUR), at(-1), 5_000, at(0)), // call started before the window
      room(at(0), at(10), 9_999, at(HOUR)), // bucket 0, < 10 s
      room(at(0), at(HOUR - 1), 10_000, at(2 * HOUR)), // bucket 0, 10–30 s (10 s is the bin's lower edge)
      room(at(HOUR), at(HOUR + 1), 90_000, at(2 * HOUR)), // bucket 1, 1–2 min
      room(at(HOUR), at(HOUR + 2), 4 * HOUR, at(6 * HOUR)), // bucket 1, 1 h and longer
      room(at(2 * HOUR), at(2 * HOUR), 1_000, null), // bucket 2, still going: not in the durations
      room(at(3 * HOUR), null, 0, at(4 * HOUR)), // a room where nobody met: no call
      room(at(24 * HOUR), at(24 * HOUR + 1), 45_000, at(25 * HOUR)), // the second day, 30 s–1 min
    ]);
  });
  afterAll(async () => {
    await t.close();
    await variant.cleanup();
  });

  const series = (query: string) => admin(t).get(`/api/v1/stats/timeseries?${query}`);

  it('per hour: every bucket from `from` to `to`, edges inclusive at the start and exclusive at the end', async () => {
    const res = await series(`bucket=hour&from=${at(0).toISOString()}&to=${at(6 * HOUR).toISOString()}`).expect(200);
    expect(res.body).toMatchObject({ bucket: 'hour', from: '2026-03-01T00:00:00.000Z', to: '2026-03-01T06:00:00.000Z' });
    expect(res.body.points).toEqual([
      { start: '2026-03-01T00:00:00.000Z', end: '2026-03-01T01:00:00.000Z', sessions: 2, calls: 2, leaves: {} },
      { start: '2026-03-01T01:00:00.000Z', end: '2026-03-01T02:00:00.000Z', sessions: 2, calls: 2, leaves: { leave: 1 } },
      { start: '2026-03-01T02:00:00.000Z', end: '2026-03-01T03:00:00.000Z', sessions: 1, calls: 1, leaves: { disconnect: 2, timeout: 1 } },
      { start: '2026-03-01T03:00:00.000Z', end: '2026-03-01T04:00:00.000Z', sessions: 0, calls: 0, leaves: {} },
      { start: '2026-03-01T04:00:00.000Z', end: '2026-03-01T05:00:00.000Z', sessions: 0, calls: 0, leaves: {} },
      { start: '2026-03-01T05:00:00.000Z', end: '2026-03-01T06:00:00.000Z', sessions: 1, calls: 0, leaves: {} },
    ]);
  });

  it('buckets start at `from`, not at a round hour; the last one is cut at `to`', async () => {
    const res = await series(`from=${at(30 * 60_000).toISOString()}&to=${at(2 * HOUR).toISOString()}`).expect(200);
    expect(res.body.points).toEqual([
      { start: '2026-03-01T00:30:00.000Z', end: '2026-03-01T01:30:00.000Z', sessions: 3, calls: 3, leaves: { leave: 1 } },
      { start: '2026-03-01T01:30:00.000Z', end: '2026-03-01T02:00:00.000Z', sessions: 0, calls: 0, leaves: {} },
    ]);
  });

  it('per day, and the defaults: 24 hours or 30 days up to the end of the current UTC hour or day', async () => {
    const days = await series(`bucket=day&from=${at(-DAY).toISOString()}&to=${at(2 * DAY).toISOString()}`).expect(200);
    expect(days.body.points.map((p: { sessions: number; calls: number }) => [p.sessions, p.calls])).toEqual([
      [1, 1],
      [6, 5],
      [1, 1],
    ]);
    expect(days.body.points[1].leaves).toEqual({ leave: 1, disconnect: 2, timeout: 1, kicked: 1 });

    const hourly = await series('').expect(200);
    expect(hourly.body.points).toHaveLength(24);
    expect(Date.parse(hourly.body.to) % HOUR).toBe(0);
    expect(Date.parse(hourly.body.to)).toBeGreaterThan(Date.now() - 1000);
    expect(Date.parse(hourly.body.to)).toBeLessThanOrEqual(Date.now() + HOUR);
    const daily = await series('bucket=day').expect(200);
    expect(daily.body.points).toHaveLength(30);
    expect(Date.parse(daily.body.to) % DAY).toBe(0);
    expect(daily.body.points.every((p: { sessions: number }) => p.sessions === 0)).toBe(true);
  });

  it('call durations: calls started in the window that have ended, in fixed bins, every bin listed', async () => {
    const res = await admin(t).get(`/api/v1/stats/durations?from=${at(0).toISOString()}&to=${at(DAY + HOUR).toISOString()}`).expect(200);
    expect(res.body).toMatchObject({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T01:00:00.000Z', calls: 5 });
    expect(res.body.totalDurationMs).toBe(9_999 + 10_000 + 90_000 + 4 * HOUR + 45_000);
    expect(res.body.bins).toEqual([
      { minMs: 0, maxMs: 10_000, calls: 1 },
      { minMs: 10_000, maxMs: 30_000, calls: 1 },
      { minMs: 30_000, maxMs: 60_000, calls: 1 },
      { minMs: 60_000, maxMs: 120_000, calls: 1 },
      { minMs: 120_000, maxMs: 300_000, calls: 0 },
      { minMs: 300_000, maxMs: 600_000, calls: 0 },
      { minMs: 600_000, maxMs: 1_800_000, calls: 0 },
      { minMs: 1_800_000, maxMs: 3_600_000, calls: 0 },
      { minMs: 3_600_000, maxMs: null, calls: 1 },
    ]);
    const empty = await admin(t).get(`/api/v1/stats/durations?from=${at(-30 * DAY).toISOString()}&to=${at(-2 * DAY).toISOString()}`).expect(200);
    expect(empty.body.calls).toBe(0);
    expect(empty.body.bins).toHaveLength(9);
    await admin(t).get('/api/v1/stats/durations').expect(200);
  });

  it.each([
    ['bucket=week', /bucket must be one of: hour, day/],
    ['from=yesterday', /from must be/],
    [`from=${at(HOUR).toISOString()}&to=${at(0).toISOString()}`, /from must be before to/],
    [`from=${at(0).toISOString()}&to=${at(0).toISOString()}`, /from must be before to/],
    [`from=${at(0).toISOString()}&to=${at(1001 * HOUR).toISOString()}`, /more than 1000 buckets/],
    ['limit=5', /property limit should not exist/],
  ])('timeseries refuses %s with a 400 and a message', async (query, message) => {
    const res = await series(query).expect(400);
    expect(JSON.stringify(res.body.message)).toMatch(message);
  });

  it('durations refuses a bad window; both routes need the key', async () => {
    const res = await admin(t).get(`/api/v1/stats/durations?from=${at(HOUR).toISOString()}&to=${at(0).toISOString()}`).expect(400);
    expect(res.body.message).toMatch(/from must be before to/);
    await admin(t).anonymous().get('/api/v1/stats/timeseries').expect(401);
    await admin(t).anonymous().get('/api/v1/stats/durations').expect(401);
  });

  it('a 1000-bucket window is allowed', async () => {
    const res = await series(`from=${at(0).toISOString()}&to=${at(1000 * HOUR).toISOString()}`).expect(200);
    expect(res.body.points).toHaveLength(1000);
    expect(res.body.points.reduce((sum: number, p: { sessions: number }) => sum + p.sessions, 0)).toBe(7);
  });
});
