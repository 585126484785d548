import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, IsNull, type DataSourceOptions } from 'typeorm';
import { sqliteOptions } from '../../src/persistence/database-options';
import { PeerSession } from '../../src/persistence/entities/peer-session.entity';
import { RoomRecord } from '../../src/persistence/entities/room-record.entity';
import { AppProcess, buildApp } from '../support/app-process';
import { exactCall, realisticSdp } from '../support/exact-call';
import { WsTestClient } from '../support/ws-test-client';
import { waitUntil } from '../support/wait';
import { printFigures } from '../support/figures';

/**
 * The built app (`npm run build`, `node dist/src/main.js`) as a child process on 127.0.0.1, killed
 * with SIGKILL in the middle of calls and restarted on the same SQLite file; then stopped with
 * SIGTERM. What a crash leaves open must be closed at the next boot, and nothing may stay "active".
 */
const API_KEY = 'robustness-admin-key';
const NODE_ID = 'restart-test-node';

async function api<T>(app: AppProcess, path: string): Promise<T> {
  const response = await fetch(`${app.httpUrl}/api/v1${path}`, { headers: { Authorization: `Bearer ${API_KEY}` } });
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Two peers in a call (offer, answer, a candidate each way relayed), `a` the offerer. */
async function callInProgress(app: AppProcess, streamId: string): Promise<[WsTestClient, WsTestClient]> {
  const a = await WsTestClient.connect(app.wsUrl);
  const b = await WsTestClient.connect(app.wsUrl);
  a.send({ command: 'join', streamId });
  expect(await a.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
  b.send({ command: 'join', streamId });
  expect(await a.next()).toEqual({ command: 'start', streamId });
  expect(await b.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
  const sdp = realisticSdp('offer', 1);
  a.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp });
  expect(await b.next()).toEqual({ command: 'takeConfiguration', streamId, type: 'offer', sdp, idMapping: {} });
  b.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host' });
  expect((await a.next()).command).toBe('takeCandidate');
  return [a, b];
}

async function openDatabase(path: string): Promise<DataSource> {
  return new DataSource({ ...sqliteOptions(path), name: `check-${Math.random()}` } as DataSourceOptions).initialize();
}

describe('crash and restart of the built app', () => {
  const dirs: string[] = [];
  const clients: WsTestClient[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'signaling-restart-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(() => buildApp(), 180_000);
  afterEach(() => {
    for (const client of clients.splice(0)) client.terminate();
    AppProcess.killAll();
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 during calls: the restart closes every session left open (server_restart), none stays active, new joins work', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, ADMIN_API_KEY: API_KEY, NODE_ID };
    const database = await openDatabase(join(dataDir, 'signaling.sqlite'));
    try {
      const first = await AppProcess.start(env);
      for (let i = 0; i < 3; i++) clients.push(...(await callInProgress(first, `crash-call-${i}`)));
      const lone = await WsTestClient.connect(first.wsUrl);
      clients.push(lone);
      lone.send({ command: 'join', streamId: 'crash-lone' });
      expect(await lone.next()).toMatchObject({ definition: 'joined' });

      // the writer's timer (every second by default) puts the 7 sessions in the file; read it directly,
      // not through the admin API, which would flush on its own
      const sessions = database.getRepository(PeerSession);
      await waitUntil(async () => (await sessions.countBy({ leftAt: IsNull() })) === 7, 10_000, 'the 7 active sessions to be written');
      const activeBefore = (await api<{ total: number }>(first, '/sessions?active=true')).total;

      const killedAt = Date.now();
      expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      for (const client of clients) expect(await client.closed()).toBe(1006);
      expect(clients.flatMap((c) => c.received).filter((f) => f.command === 'stop')).toEqual([]);
      expect(await sessions.countBy({ leftAt: IsNull() })).toBe(7);

      const second = await AppProcess.start(env);
      const restartMs = Date.now() - killedAt;
      expect(second.output).toContain('closed 7 session(s) and 4 room(s) left open by a previous run (server_restart)');
      const active = await api<{ total: number }>(second, '/sessions?active=true');
      const restarted = await api<{ total: number; items: Array<{ leftAt: string | null }> }>(second, '/sessions?reason=server_restart');
      const openRooms = await api<{ total: number }>(second, '/history/rooms?active=true');
      expect(active.total).toBe(0);
      expect(restarted.total).toBe(7);
      expect(restarted.items.every((s) => s.leftAt !== null)).toBe(true);
      expect(openRooms.total).toBe(0);
      expect(await database.getRepository(RoomRecord).findBy({ closeReason: 'server_restart' })).toHaveLength(4);

      // the same rooms are free again: full calls in them, and the lone peer's room takes two
      const relayed = [];
      for (const streamId of ['crash-call-0', 'crash-call-1', 'crash-lone']) {
        const [a, b] = [await WsTestClient.connect(second.wsUrl), await WsTestClient.connect(second.wsUrl)];
        clients.push(a, b);
        relayed.push(await exactCall(a, b, streamId));
      }
      expect((await api<{ total: number }>(second, '/sessions?active=true')).total).toBe(0);
      printFigures('kill-9', {
        activeBefore,
        restartMs,
        closedAtBoot: '7_sessions,4_rooms',
        activeAfter: 0,
        newCallFramesExact: relayed.reduce((n, r) => n + r, 0),
      });
    } finally {
      await database.destroy();
    }
  }, 60_000);

  it('SIGTERM during calls: peers get stop, sockets close with 1001, sessions end with shutdown, the process exits', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, ADMIN_API_KEY: API_KEY, NODE_ID };
    const app = await AppProcess.start(env);
    const pairs = [await callInProgress(app, 'term-call-0'), await callInProgress(app, 'term-call-1')];
    const lone = await WsTestClient.connect(app.wsUrl);
    lone.send({ command: 'join', streamId: 'term-lone' });
    expect(await lone.next()).toMatchObject({ definition: 'joined' });
    const all = [...pairs.flat(), lone];
    clients.push(...all);
    const seen = all.map((c) => c.received.length);

    const signalledAt = Date.now();
    const exit = await app.stop('SIGTERM');
    const exitMs = Date.now() - signalledAt;
    for (const client of all) expect(await client.closed()).toBe(1001);
    // in each call, the peer that is removed first makes the other receive stop; nothing else arrives
    for (const [a, b] of pairs) {
      const after = [...a.received.slice(seen[all.indexOf(a)]), ...b.received.slice(seen[all.indexOf(b)])];
      expect(after).toEqual([{ command: 'stop', streamId: a === pairs[0][0] ? 'term-call-0' : 'term-call-1' }]);
    }
    expect(lone.received.slice(seen[all.length - 1])).toEqual([]);
    // Nest's shutdown hooks end by re-raising the signal: the process ends by SIGTERM, after the hooks
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });

    const database = await openDatabase(join(dataDir, 'signaling.sqlite'));
    try {
      const sessions = await database.getRepository(PeerSession).find();
      const rooms = await database.getRepository(RoomRecord).find();
      expect(sessions.map((s) => s.leaveReason)).toEqual(Array(5).fill('shutdown'));
      expect(sessions.every((s) => s.leftAt !== null)).toBe(true);
      expect(rooms.map((r) => [r.closeReason, r.closedAt !== null])).toEqual(Array(3).fill(['empty', true]));
      printFigures('sigterm', { exitedBy: String(exit.signal), exitMs, stops: 2, closed1001: '5/5', shutdownSessions: '5/5', roomsClosed: '3/3' });
    } finally {
      await database.destroy();
    }
  }, 60_000);
});
