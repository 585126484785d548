import { HistoryWriter } from '../../src/persistence/history-writer.service';
import { startTestApp, TestApp } from '../support/test-app';
import { admin } from '../support/http';
import { WsTestClient } from '../support/ws-test-client';
import { databaseVariants } from '../support/database-variants';

async function pair(t: TestApp, streamId: string): Promise<[WsTestClient, WsTestClient]> {
  const a = await t.connect();
  const b = await t.connect();
  a.send({ command: 'join', streamId });
  await a.next();
  b.send({ command: 'join', streamId, mode: 'play' });
  expect(await a.next()).toEqual({ command: 'start', streamId });
  await b.next();
  return [a, b];
}

/** Session ids of a room, in join order, from the live registry via the API. */
async function sessionIds(t: TestApp, streamId: string): Promise<string[]> {
  const res = await admin(t).get(`/api/v1/rooms/${streamId}`).expect(200);
  return res.body.peers.map((p: { sessionId: string }) => p.sessionId);
}

describe.each(databaseVariants())('admin API and history on $name', (variant) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { database: await variant.options() });
  });
  afterAll(async () => {
    await t.close();
    await variant.cleanup();
  });

  describe('authentication', () => {
    it('refuses a missing key with a JSON 401', async () => {
      const res = await admin(t).anonymous().get('/api/v1/rooms').expect(401);
      expect(res.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: expect.stringContaining('API key required'),
      });
    });

    it('refuses a wrong key, whatever its length', async () => {
      for (const key of ['x', 'test-admin-kez', 'test-admin-key-and-more']) {
        const res = await admin(t).anonymous().get('/api/v1/stats').set('X-API-Key', key).expect(401);
        expect(res.body.message).toBe('invalid API key');
      }
      await admin(t).anonymous().get('/api/v1/stats').set('Authorization', 'Bearer nope').expect(401);
      await admin(t).anonymous().get('/api/v1/stats').set('Authorization', 'Basic dGVzdA==').expect(401);
    });

    it('accepts the key as a bearer token or as X-API-Key on every route', async () => {
      for (const path of ['/api/v1/rooms', '/api/v1/sessions', '/api/v1/history/rooms', '/api/v1/stats']) {
        await admin(t).get(path).expect(200);
        await admin(t).anonymous().get(path).set('X-API-Key', 'test-admin-key').expect(200);
        await admin(t).anonymous().get(path).expect(401);
      }
      await admin(t).anonymous().delete('/api/v1/rooms/x').expect(401);
      await admin(t).anonymous().delete('/api/v1/sessions/6f1c2c55-4ad5-4c51-9a0a-2b8f3d0f7e21').expect(401);
    });
  });

  describe('live rooms', () => {
    it('lists active rooms with their peers', async () => {
      const [a] = await pair(t, 'live-room');
      a.send({ command: 'takeCandidate', streamId: 'live-room', label: 0, id: '0', candidate: 'c' });
      const res = await admin(t).get('/api/v1/rooms').expect(200);
      const room = res.body.items.find((r: { streamId: string }) => r.streamId === 'live-room');
      expect(room).toMatchObject({ streamId: 'live-room', peakPeers: 2, peers: [{ mode: 'both' }, { mode: 'play' }] });
      expect(room.peers[0]).toMatchObject({ remoteAddress: expect.stringContaining('127.0.0.1'), messagesRelayed: 1 });
      expect(typeof room.callStartedAt).toBe('string');
      const one = await admin(t).get('/api/v1/rooms/live-room').expect(200);
      expect(one.body.roomId).toBe(room.roomId);
    });

    it('pages the rooms oldest first (openedAt, then streamId), with a total and a streamId prefix filter', async () => {
      const clients = [];
      for (const streamId of ['pgr-c', 'pgr-a', 'pgr-b', 'pgr-x.1', 'other-pgr']) {
        const c = await t.connect();
        c.send({ command: 'join', streamId });
        await c.next();
        clients.push(c);
        await new Promise((r) => setTimeout(r, 3)); // distinct openedAt: join order is the order expected
      }
      const all = (await admin(t).get('/api/v1/rooms?limit=500').expect(200)).body;
      expect(Object.keys(all).sort()).toEqual(['items', 'limit', 'offset', 'total']);
      expect(all).toMatchObject({ limit: 500, offset: 0, total: all.items.length });
      const key = (r: { openedAt: string; streamId: string }) => [r.openedAt, r.streamId] as const;
      const keys = all.items.map(key);
      const sorted = [...keys].sort((a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      expect(keys).toEqual(sorted);

      const mine = (await admin(t).get('/api/v1/rooms?streamIdPrefix=pgr-').expect(200)).body;
      expect(mine.total).toBe(4);
      expect(mine.items.map((r: { streamId: string }) => r.streamId)).toEqual(['pgr-c', 'pgr-a', 'pgr-b', 'pgr-x.1']);
      const second = (await admin(t).get('/api/v1/rooms?streamIdPrefix=pgr-&limit=2&offset=2').expect(200)).body;
      expect(second).toMatchObject({ total: 4, limit: 2, offset: 2 });
      expect(second.items.map((r: { streamId: string }) => r.streamId)).toEqual(['pgr-b', 'pgr-x.1']);
      expect((await admin(t).get('/api/v1/rooms?streamIdPrefix=pgr-x.').expect(200)).body.total).toBe(1);
      expect((await admin(t).get('/api/v1/rooms?streamIdPrefix=PGR-').expect(200)).body.total).toBe(0);
      const beyond = (await admin(t).get(`/api/v1/rooms?streamIdPrefix=pgr-&offset=${Number.MAX_SAFE_INTEGER}`).expect(200)).body;
      expect(beyond).toMatchObject({ total: 4, items: [] });
      for (const c of clients) c.close();
    });

    it('rejects a bad rooms query with 400 and messages', async () => {
      const cases: Array<[string, string[]]> = [
        ['/api/v1/rooms?streamIdPrefix=a%20b', ['streamIdPrefix must match ^[A-Za-z0-9_.-]+$']],
        ['/api/v1/rooms?streamIdPrefix=', ['streamIdPrefix must match ^[A-Za-z0-9_.-]+$']],
        [`/api/v1/rooms?streamIdPrefix=${'a'.repeat(256)}`, ['streamIdPrefix must be at most 255 characters']],
        ['/api/v1/rooms?streamIdPrefix=a&streamIdPrefix=b', ['streamIdPrefix must be a string']],
        ['/api/v1/rooms?limit=0', ['limit must not be less than 1']],
        ['/api/v1/rooms?limit=501', ['limit must not be greater than 500']],
        ['/api/v1/rooms?offset=99999999999999999999', [`offset must not be greater than ${Number.MAX_SAFE_INTEGER}`]],
        ['/api/v1/rooms?prefix=a', ['property prefix should not exist']],
      ];
      for (const [path, messages] of cases) {
        const res = await admin(t).get(path);
        expect({ path, status: res.status, message: res.body.message }).toEqual({ path, status: 400, message: messages });
      }
    });

    it('404 for a room nobody is in, 400 for a malformed streamId', async () => {
      const res = await admin(t).get('/api/v1/rooms/nobody-here').expect(404);
      expect(res.body.message).toBe('room nobody-here is not active');
      const bad = await admin(t).get('/api/v1/rooms/bad%20id').expect(400);
      expect(bad.body.message).toContain('streamId must match');
    });
  });

  describe('forced leave', () => {
    it('DELETE /sessions/:id: the peer gets stop then leaved, the other gets stop, history says kicked', async () => {
      const [a, b] = await pair(t, 'kick-one');
      const [, bSession] = await sessionIds(t, 'kick-one');
      const res = await admin(t).delete(`/api/v1/sessions/${bSession}`).expect(200);
      expect(res.body).toEqual({ sessionId: bSession, streamId: 'kick-one', disconnected: false });
      expect(await b.take(2)).toEqual([
        { command: 'stop', streamId: 'kick-one' },
        { command: 'notification', definition: 'leaved', streamId: 'kick-one', reason: 'kicked' },
      ]);
      expect(await a.next()).toEqual({ command: 'stop', streamId: 'kick-one' });
      const row = await admin(t).get(`/api/v1/sessions/${bSession}`).expect(200);
      expect(row.body).toMatchObject({ id: bSession, active: false, leaveReason: 'kicked', streamId: 'kick-one' });
      // the socket stays open and usable
      b.send({ command: 'ping' });
      expect(await b.next()).toEqual({ command: 'pong' });
      // already ended → 404
      const again = await admin(t).delete(`/api/v1/sessions/${bSession}`).expect(404);
      expect(again.body.message).toBe(`session ${bSession} is not active`);
    });

    it('?disconnect=true also closes the socket', async () => {
      const [a, b] = await pair(t, 'kick-close');
      const [aSession] = await sessionIds(t, 'kick-close');
      await admin(t).delete(`/api/v1/sessions/${aSession}?disconnect=true`).expect(200);
      expect(await b.next()).toEqual({ command: 'stop', streamId: 'kick-close' });
      expect(await a.closed()).toBe(4001);
    });

    it('404 for an unknown session, 400 for a malformed id or query', async () => {
      await admin(t).delete('/api/v1/sessions/6f1c2c55-4ad5-4c51-9a0a-2b8f3d0f7e21').expect(404);
      const bad = await admin(t).delete('/api/v1/sessions/not-a-uuid').expect(400);
      expect(bad.body.message).toContain('uuid');
      const badQuery = await admin(t).delete('/api/v1/sessions/6f1c2c55-4ad5-4c51-9a0a-2b8f3d0f7e21?disconnect=yes').expect(400);
      expect(badQuery.body.message).toEqual(['disconnect must be true or false']);
      await admin(t).get('/api/v1/sessions/6f1c2c55-4ad5-4c51-9a0a-2b8f3d0f7e21').expect(404);
    });

    it('DELETE /rooms/:streamId removes every peer', async () => {
      const [a, b] = await pair(t, 'kick-room');
      const res = await admin(t).delete('/api/v1/rooms/kick-room').expect(200);
      expect(res.body).toEqual({ streamId: 'kick-room', removed: 2 });
      const kickedFrames = [
        { command: 'stop', streamId: 'kick-room' },
        { command: 'notification', definition: 'leaved', streamId: 'kick-room', reason: 'kicked' },
      ];
      // the first peer removed also hears `stop` once for the second's departure? No: it is gone by then.
      expect(await a.take(2)).toEqual(kickedFrames);
      const bFrames = await b.take(3);
      expect(bFrames).toEqual([{ command: 'stop', streamId: 'kick-room' }, ...kickedFrames]);
      await admin(t).get('/api/v1/rooms/kick-room').expect(404);
      await admin(t).delete('/api/v1/rooms/kick-room').expect(404);
      const sessions = await admin(t).get('/api/v1/sessions?streamId=kick-room').expect(200);
      expect(sessions.body.items.map((s: { leaveReason: string }) => s.leaveReason)).toEqual(['kicked', 'kicked']);
    });
  });

  describe('history', () => {
    it('records a call: sessions, reasons, counters and the room occupancy with its duration', async () => {
      const [a, b] = await pair(t, 'history-call');
      const sdp = 'v=0\r\n'.repeat(10);
      a.send({ command: 'takeConfiguration', streamId: 'history-call', type: 'offer', sdp });
      await b.next();
      b.send({ command: 'takeConfiguration', streamId: 'history-call', type: 'answer', sdp });
      b.send({ command: 'takeCandidate', streamId: 'history-call', label: 0, id: '0', candidate: 'c1' });
      await a.take(2);
      await new Promise((r) => setTimeout(r, 300));
      b.send({ command: 'leave', streamId: 'history-call' });
      await a.next();
      a.close();
      await a.closed();
      // wait for the close to be processed
      await waitFor(async () => (await admin(t).get('/api/v1/sessions?streamId=history-call&active=false').expect(200)).body.total === 2);

      const sessions = (await admin(t).get('/api/v1/sessions?streamId=history-call').expect(200)).body;
      expect(sessions.total).toBe(2);
      const first = sessions.items.find((s: { mode: string }) => s.mode === 'both');
      const second = sessions.items.find((s: { mode: string }) => s.mode === 'play');
      expect(first).toMatchObject({ mode: 'both', leaveReason: 'disconnect', messagesRelayed: 1, active: false });
      expect(second).toMatchObject({ mode: 'play', leaveReason: 'leave', messagesRelayed: 2 });
      expect(first.bytesRelayed).toBeGreaterThan(sdp.length);
      expect(new Date(first.leftAt).getTime()).toBeGreaterThanOrEqual(new Date(first.joinedAt).getTime());

      const rooms = (await admin(t).get('/api/v1/history/rooms?streamId=history-call').expect(200)).body;
      expect(rooms.total).toBe(1);
      const [room] = rooms.items;
      expect(room).toMatchObject({ streamId: 'history-call', peakPeers: 2, callStarted: true, closeReason: 'empty', nodeId: 'test-node' });
      expect(room.callDurationMs).toBeGreaterThanOrEqual(250);
      expect(room.callDurationMs).toBeLessThan(10_000);
      expect(room.id).toBe(first.roomId);
      expect(new Date(room.closedAt).getTime()).toBeGreaterThan(new Date(room.openedAt).getTime());
    });

    it('a room where nobody met has no call and no duration', async () => {
      const a = await t.connect();
      a.send({ command: 'join', streamId: 'history-alone' });
      await a.next();
      a.send({ command: 'leave', streamId: 'history-alone' });
      await a.next();
      const rooms = (await admin(t).get('/api/v1/history/rooms?streamId=history-alone&callStarted=false').expect(200)).body;
      expect(rooms.items).toEqual([expect.objectContaining({ callStarted: false, callStartedAt: null, callDurationMs: 0, peakPeers: 1 })]);
      const active = (await admin(t).get('/api/v1/history/rooms?streamId=history-alone&active=true').expect(200)).body;
      expect(active.total).toBe(0);
    });

    it('filters sessions by active, reason and time window, and paginates with a total', async () => {
      const clients = [];
      for (let i = 0; i < 5; i++) {
        const c = await t.connect();
        c.send({ command: 'join', streamId: `page-${i}` });
        await c.next();
        clients.push(c);
      }
      const before = new Date(Date.now() - 60_000).toISOString();
      const page1 = (await admin(t).get(`/api/v1/sessions?active=true&from=${before}&limit=2&offset=0`).expect(200)).body;
      const page3 = (await admin(t).get(`/api/v1/sessions?active=true&from=${before}&limit=2&offset=4`).expect(200)).body;
      expect(page1.items).toHaveLength(2);
      expect(page1.total).toBeGreaterThanOrEqual(5);
      expect(page3.total).toBe(page1.total);
      expect(page1).toMatchObject({ limit: 2, offset: 0 });
      const future = new Date(Date.now() + 60_000).toISOString();
      expect((await admin(t).get(`/api/v1/sessions?from=${future}`).expect(200)).body.total).toBe(0);
      expect((await admin(t).get(`/api/v1/sessions?to=${before}`).expect(200)).body.total).toBe(0);
      const kicked = (await admin(t).get('/api/v1/sessions?reason=kicked').expect(200)).body;
      expect(kicked.items.every((s: { leaveReason: string }) => s.leaveReason === 'kicked')).toBe(true);
      for (const c of clients) c.close();
    });

    it('reads from/to exactly: offsets, fractions rounded up to the millisecond, plain dates at midnight UTC', async () => {
      const c = await t.connect();
      c.send({ command: 'join', streamId: 'window-exact' });
      await c.next();
      await waitFor(async () => (await admin(t).get('/api/v1/sessions?streamId=window-exact').expect(200)).body.total === 1);
      const { joinedAt } = (await admin(t).get('/api/v1/sessions?streamId=window-exact').expect(200)).body.items[0];
      const at = new Date(joinedAt).getTime();
      const withOffset = (ms: number, minutes: number): string => {
        const local = new Date(ms + minutes * 60_000).toISOString().slice(0, -1);
        const sign = minutes < 0 ? '-' : '%2B';
        const abs = Math.abs(minutes);
        return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      };
      const count = async (query: string): Promise<number> =>
        (await admin(t).get(`/api/v1/sessions?streamId=window-exact&${query}`).expect(200)).body.total;
      const day = joinedAt.slice(0, 10);
      const nextDay = new Date(Date.parse(day) + 24 * 3600_000).toISOString().slice(0, 10);
      const expectations: Array<[string, number]> = [
        [`from=${withOffset(at, 330)}`, 1], // inclusive, in +05:30
        [`to=${withOffset(at, -180)}`, 0], // exclusive, in -03:00
        [`from=${joinedAt.replace('Z', '0001Z')}`, 0], // 0.1 µs later: rounds up past the row
        [`to=${joinedAt.replace('Z', '0001Z')}`, 1],
        [`to=${joinedAt.replace('Z', '000z').replace('T', 't')}`, 0],
        [`from=${day}`, 1], // midnight UTC
        [`to=${day}`, 0],
        [`from=${day}&to=${nextDay}`, 1],
        ['from=0000-01-01&to=9999-12-31T23:59:59.999Z', 1],
        ['from=9999-12-31', 0],
        ['to=0000-01-01T00:00:00.001Z', 0],
      ];
      for (const [query, total] of expectations) {
        expect({ query, total: await count(query) }).toEqual({ query, total });
      }
      for (const path of [`/api/v1/history/rooms?streamId=window-exact&from=${day}&to=9999-12-31`, `/api/v1/stats?from=0000-01-01`]) {
        const res = await admin(t).get(path).expect(200);
        expect(res.body.total ?? res.body.sessions).toBeGreaterThanOrEqual(1);
      }
      c.close();
    });

    it('rejects bad filters with 400 and messages', async () => {
      const format = (name: string) =>
        `${name} must be an RFC 3339 date-time with Z or an offset (2026-11-25T09:00:00Z, 2026-11-25T10:00:00%2B01:00) or a date (2026-11-25, midnight UTC)`;
      const impossible = (name: string) => `${name} is not a real date and time (a day, hour, minute, second or offset out of range)`;
      const cases: Array<[string, string[]]> = [
        ['/api/v1/sessions?from=yesterday', [format('from')]],
        ['/api/v1/sessions?to=2026-13-45T00:00:00Z', [impossible('to')]],
        ['/api/v1/sessions?limit=-1', ['limit must not be less than 1']],
        ['/api/v1/sessions?limit=0', ['limit must not be less than 1']],
        ['/api/v1/sessions?limit=100000', ['limit must not be greater than 500']],
        ['/api/v1/sessions?offset=-5', ['offset must not be less than 0']],
        ['/api/v1/sessions?offset=99999999999999999999', [`offset must not be greater than ${Number.MAX_SAFE_INTEGER}`]],
        ['/api/v1/sessions?offset=9007199254740992', [`offset must not be greater than ${Number.MAX_SAFE_INTEGER}`]],
        ['/api/v1/history/rooms?offset=1e3', ['offset must be an integer number']],
        ['/api/v1/sessions?limit=ten', ['limit must be an integer number']],
        ['/api/v1/sessions?color=blue', ['property color should not exist']],
        ['/api/v1/sessions?active=yes', ['active must be true or false']],
        ['/api/v1/sessions?reason=bored', [expect.stringContaining('reason must be one of')]],
        ['/api/v1/sessions?streamId=a%20b', ['streamId must match ^[A-Za-z0-9_.-]+$']],
        ['/api/v1/history/rooms?callStarted=1', ['callStarted must be true or false']],
        ['/api/v1/history/rooms?unknown=1', ['property unknown should not exist']],
        ['/api/v1/stats?from=nope', [format('from')]],
        // ISO 8601 forms `new Date()` misread or refused (a 500, every row, wrong rows)
        ['/api/v1/stats?from=2026-W01', [format('from')]],
        ['/api/v1/sessions?from=2026-W01', [format('from')]],
        ['/api/v1/history/rooms?to=20300101', [format('to')]],
        ['/api/v1/sessions?from=2026-329', [format('from')]],
        ['/api/v1/sessions?from=2026-11-25T09:00:00', [format('from')]],
        ['/api/v1/sessions?from=2026-11-25T10:00:00+01:00', [format('from')]], // '+' unencoded: a space
        ['/api/v1/sessions?from=2026-11-25&from=2026-11-26', [format('from')]],
        ['/api/v1/history/rooms?from=2026-02-30', [impossible('from')]],
        ['/api/v1/stats?to=2026-11-25T24:00:00Z', [impossible('to')]],
        ['/api/v1/sessions?to=2016-12-31T23:59:60Z', [impossible('to')]],
        ['/api/v1/stats?to=9999-12-31T23:59:59-01:00', ['to must lie within the years 0000-9999 (UTC)']],
      ];
      for (const [path, messages] of cases) {
        const res = await admin(t).get(path);
        expect({ path, status: res.status, message: res.body.message }).toEqual({ path, status: 400, message: messages });
      }
      const reversed = await admin(t).get('/api/v1/sessions?from=2026-11-25T10:00:00Z&to=2026-11-25T09:00:00Z').expect(400);
      expect(reversed.body.message).toBe('from must be before to');
      // the same instant written two ways
      const same = await admin(t).get('/api/v1/history/rooms?from=2026-11-25T10:00:00%2B01:00&to=2026-11-25T09:00:00Z').expect(400);
      expect(same.body.message).toBe('from must be before to');
      const future = await admin(t).get('/api/v1/stats?from=2999-01-01').expect(400);
      expect(future.body.message).toBe('from must be before to');
    });

    it('GET /stats gives live figures, window totals and counters', async () => {
      const [a] = await pair(t, 'stats-room');
      a.send({ command: 'takeCandidate', streamId: 'stats-room', label: 0, id: '0', candidate: 'c' });
      const c = await t.connect();
      c.send({ command: 'join', streamId: 'stats-room' });
      await c.next();
      const stats = (await admin(t).get('/api/v1/stats').expect(200)).body;
      expect(stats.activeRooms).toBeGreaterThanOrEqual(1);
      expect(stats.activeSessions).toBeGreaterThanOrEqual(2);
      expect(stats.connectedPeers).toBeGreaterThanOrEqual(3);
      expect(stats.sessions).toBeGreaterThanOrEqual(2);
      expect(stats.calls).toBeGreaterThanOrEqual(1);
      expect(stats.messagesRelayed.takeCandidate).toBeGreaterThanOrEqual(1);
      expect(stats.errors.NoSpaceForNewPeer).toBeGreaterThanOrEqual(1);
      expect(stats.history).toMatchObject({ queueDepth: 0, droppedRows: 0 });
      expect(new Date(stats.to).getTime() - new Date(stats.from).getTime()).toBe(24 * 3600 * 1000);
      const empty = (await admin(t).get('/api/v1/stats?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z').expect(200)).body;
      expect(empty).toMatchObject({ sessions: 0, calls: 0, rooms: 0 });
    });

    it('keeps signaling working while the database fails, then catches up', async () => {
      const history = t.app.get(HistoryWriter);
      const dataSource = (history as unknown as { dataSource: { transaction: (...a: unknown[]) => Promise<unknown> } }).dataSource;
      const spy = jest.spyOn(dataSource, 'transaction').mockRejectedValue(new Error('disk I/O error'));
      try {
        const [a, b] = await pair(t, 'db-down');
        a.send({ command: 'takeConfiguration', streamId: 'db-down', type: 'offer', sdp: 'x' });
        expect((await b.next()).type).toBe('offer');
        await expect(history.flush()).rejects.toThrow('disk I/O error');
        expect(history.queueDepth).toBeGreaterThan(0);
        expect(history.stats.failedFlushes).toBeGreaterThan(0);
        b.send({ command: 'leave', streamId: 'db-down' });
        await a.next();
      } finally {
        spy.mockRestore();
      }
      await history.flush();
      expect(history.queueDepth).toBe(0);
      const sessions = (await admin(t).get('/api/v1/sessions?streamId=db-down').expect(200)).body;
      expect(sessions.total).toBe(2);
      expect(sessions.items.map((s: { leaveReason: string | null }) => s.leaveReason).sort()).toEqual(['leave', null]);
    });
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
