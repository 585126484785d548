import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { PeerSession } from '../../src/persistence/entities/peer-session.entity';
import { RoomRecord } from '../../src/persistence/entities/room-record.entity';
import { HistoryWriter } from '../../src/persistence/history-writer.service';
import { HISTORY_CONNECTION } from '../../src/persistence/persistence.constants';
import { ConnectionRegistry } from '../../src/signaling/connections/connection-registry.service';
import { SignalingEventType } from '../../src/signaling/events/signaling-event';
import { SignalingEvents } from '../../src/signaling/events/signaling-events.service';
import { RoomRegistry } from '../../src/signaling/rooms/room-registry';
import { heapUsedAfterGc, megabytes, ProcessFaultRecorder } from '../support/process-faults';
import { SeededRandom } from '../support/seeded-random';
import { startTestApp } from '../support/test-app';
import { WsTestClient } from '../support/ws-test-client';
import { sleep, waitUntil } from '../support/wait';
import { printFigures } from '../support/figures';

/**
 * Churn soak: many sockets joining, leaving, relaying, closing, being terminated mid-join and going
 * silent (heartbeat timeout) across a few rooms, in random interleavings from a seed, with history
 * written to SQLite. Throughout, the registries are checked for zombies; afterwards nothing may be
 * left (no room "full" of peers that are gone) and history must hold one closed row per join.
 * CHURN_SEED replays the same choices.
 */
const SEED = Number(process.env.CHURN_SEED ?? 1125);
const ACTORS = 48;
const ROOMS = Array.from({ length: 24 }, (_, i) => `churn-${i}`);
const OPERATIONS_PER_ACTOR = 400;
// a short heartbeat so that silent sockets are dropped within the run; the per-address cap (256 by
// default, every socket here comes from 127.0.0.1) raised so that it never refuses an actor
const OPTIONS = { heartbeatIntervalMs: 200, heartbeatTimeoutMs: 1000, limits: { maxConnectionsPerAddress: 4096 } };

type Action = 'join' | 'leave' | 'relay' | 'close' | 'terminate' | 'joinThenTerminate' | 'silent' | 'pause';
const ACTIONS: Record<Action, number> = { join: 40, leave: 14, relay: 14, close: 5, terminate: 6, joinThenTerminate: 3, silent: 1, pause: 12 };

function open(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('churn soak', () => {
  let faults: ProcessFaultRecorder;
  beforeAll(() => {
    faults = ProcessFaultRecorder.install();
  });
  afterAll(() => faults.uninstall());

  it(`${ACTORS * OPERATIONS_PER_ACTOR} random joins, leaves, relays, closes, terminations and silences leave no zombie room and lose no history row`, async () => {
    const t = await startTestApp(OPTIONS);
    const sockets = new Set<WebSocket>();
    let checker: NodeJS.Timeout | undefined;
    try {
      const connections = t.app.get(ConnectionRegistry);
      const registry = t.app.get(RoomRegistry);
      const joinedSessions = new Set<string>();
      const leftSessions = new Map<string, string>();
      let roomsOpened = 0;
      const unsubscribe = t.app.get(SignalingEvents).subscribe((event) => {
        if (event.type === SignalingEventType.PeerJoined) joinedSessions.add(event.member.sessionId);
        if (event.type === SignalingEventType.PeerLeft) leftSessions.set(event.member.sessionId, event.reason);
        if (event.type === SignalingEventType.RoomOpened) roomsOpened++;
      });

      // Invariants at every timer tick (between macrotasks the in-memory state is settled): rooms hold
      // 1–2 members, every member's connection is live and lists the room, every listed room has it.
      const violations: string[] = [];
      let checks = 0;
      let zombieRooms = 0;
      let peakRooms = 0;
      const check = (): void => {
        checks++;
        const snapshot = registry.listRooms(); // the in-memory registry takes its snapshot at the call
        const live = new Map([...connections.values()].map((c) => [c.id, { closing: c.closing, rooms: new Set(c.rooms) }]));
        void snapshot.then((rooms) => {
          peakRooms = Math.max(peakRooms, rooms.length);
          const members = new Map<string, Set<string>>();
          for (const room of rooms) {
            if (room.members.length < 1 || room.members.length > 2) violations.push(`${room.streamId} has ${room.members.length} members`);
            let zombie = false;
            for (const member of room.members) {
              const connection = live.get(member.connectionId);
              if (!connection || connection.closing) zombie = true;
              else if (!connection.rooms.has(room.streamId)) violations.push(`${member.connectionId} in ${room.streamId} does not list it`);
              if (!members.has(member.connectionId)) members.set(member.connectionId, new Set());
              members.get(member.connectionId)?.add(room.streamId);
            }
            if (zombie) {
              zombieRooms++;
              violations.push(`zombie room ${room.streamId}: a member's connection is gone`);
            }
          }
          for (const [id, connection] of live) {
            for (const streamId of connection.rooms) {
              if (!members.get(id)?.has(streamId)) violations.push(`${id} lists ${streamId} but is not a member`);
            }
          }
        });
      };
      checker = setInterval(check, 25);
      const heapBefore = heapUsedAfterGc();

      const counts = { joinFrames: 0, leaveFrames: 0, relayFrames: 0, closes: 0, terminates: 0, silent: 0, acks: 0, full: 0, stops: 0 };
      const silentSockets: WebSocket[] = [];
      const started = Date.now();
      const actor = async (index: number): Promise<void> => {
        const random = new SeededRandom(SEED * 1000 + index);
        let ws: WebSocket | undefined;
        const connect = async (options: WebSocket.ClientOptions = {}): Promise<WebSocket> => {
          const socket = await open(t.wsUrl, options);
          sockets.add(socket);
          socket.on('message', (data: Buffer) => {
            const frame = JSON.parse(data.toString()) as { command: string; definition?: string };
            if (frame.definition === 'joined') counts.acks++;
            if (frame.definition === 'NoSpaceForNewPeer') counts.full++;
            if (frame.command === 'stop') counts.stops++;
          });
          socket.on('close', () => sockets.delete(socket));
          return socket;
        };
        // rooms this socket asked to join: leaves and relays mostly go there, the rest anywhere
        let asked: string[] = [];
        for (let op = 0; op < OPERATIONS_PER_ACTOR; op++) {
          if (!ws || ws.readyState !== WebSocket.OPEN) {
            ws = await connect();
            asked = [];
          }
          const room = asked.length > 0 && random.chance(0.7) ? random.pick(asked) : random.pick(ROOMS);
          switch (random.weighted(ACTIONS)) {
            case 'join':
              counts.joinFrames++;
              ws.send(JSON.stringify({ command: 'join', streamId: room, mode: random.pick(['both', 'play']) }));
              if (!asked.includes(room)) asked.push(room);
              break;
            case 'leave':
              counts.leaveFrames++;
              ws.send(JSON.stringify({ command: 'leave', streamId: room }));
              asked = asked.filter((r) => r !== room);
              break;
            case 'relay':
              counts.relayFrames++;
              ws.send(JSON.stringify({ command: 'takeCandidate', streamId: room, label: 0, id: '0', candidate: `candidate:${op}` }));
              break;
            case 'close':
              counts.closes++;
              ws.close();
              ws = undefined;
              break;
            case 'terminate':
              counts.terminates++;
              ws.terminate();
              ws = undefined;
              break;
            case 'joinThenTerminate':
              counts.joinFrames++;
              counts.terminates++;
              ws.send(JSON.stringify({ command: 'join', streamId: room }));
              ws.terminate();
              ws = undefined;
              break;
            case 'silent': {
              // a client that joins then stops answering (no pong): only the heartbeat can end it
              counts.silent++;
              counts.joinFrames++;
              const mute = await connect({ autoPong: false });
              silentSockets.push(mute);
              mute.send(JSON.stringify({ command: 'join', streamId: room }));
              break;
            }
            case 'pause':
              await sleep(random.int(15));
              break;
          }
          if (random.chance(0.3)) await sleep(random.int(3));
        }
        // the actor ends like any client: half of them abruptly
        if (ws && random.chance(0.5)) ws.terminate();
        else ws?.close();
      };
      await Promise.all(Array.from({ length: ACTORS }, (_, i) => actor(i)));
      const churnMs = Date.now() - started;

      // the silent sockets are timed out by the server, nobody else closes them
      await waitUntil(() => silentSockets.every((s) => s.readyState === WebSocket.CLOSED), 10_000, 'the heartbeat to drop the silent sockets');
      await waitUntil(() => connections.size === 0, 10_000, `every connection to be cleaned up (${connections.size} left)`);
      clearInterval(checker);
      check();
      await sleep(10);
      expect(await registry.listRooms()).toEqual([]);
      expect(connections.size).toBe(0);
      expect(violations).toEqual([]);

      // no room was left "full": a fresh pair gets joined/start/joined in every one of them
      for (const streamId of ROOMS) {
        const a = await t.connect();
        const b = await t.connect();
        a.send({ command: 'join', streamId });
        expect(await a.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
        b.send({ command: 'join', streamId });
        expect(await a.next()).toEqual({ command: 'start', streamId });
        expect(await b.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
        a.terminate();
        b.close();
      }
      await waitUntil(() => connections.size === 0, 5000, 'the fresh pairs to be cleaned up');
      expect(await registry.listRooms()).toEqual([]);
      // the per-address count behind the connection caps is back to zero too (a leak would refuse the address one day)
      expect(connections.countFrom('127.0.0.1')).toBe(0);
      unsubscribe();
      const heapGrowth = heapUsedAfterGc() - heapBefore;

      // history: one row per successful join, every one closed with the reason signaling gave it
      const writer = t.app.get(HistoryWriter);
      await writer.flush();
      const dataSource = t.app.get<DataSource>(getDataSourceToken(HISTORY_CONNECTION));
      const sessions = await dataSource.getRepository(PeerSession).find();
      const rooms = await dataSource.getRepository(RoomRecord).find();
      const reasons: Record<string, number> = {};
      for (const row of sessions) reasons[String(row.leaveReason)] = (reasons[String(row.leaveReason)] ?? 0) + 1;
      const lost = joinedSessions.size - sessions.filter((row) => joinedSessions.has(row.id)).length;
      printFigures('churn', {
        operations: ACTORS * OPERATIONS_PER_ACTOR,
        actors: ACTORS,
        rooms: ROOMS.length,
        seed: SEED,
        seconds: (churnMs / 1000).toFixed(1),
        joins: joinedSessions.size,
        full: counts.full,
        closes: counts.closes,
        terminations: counts.terminates,
        silent: counts.silent,
        stops: counts.stops,
        checks,
        zombieRooms: zombieRooms,
        peakRooms,
        sessionRows: sessions.length,
        lostRows: lost,
        reasons: Object.entries(reasons).map(([r, n]) => `${r}:${n}`).join(','),
        failedFlushes: writer.stats.failedFlushes,
        droppedRows: writer.stats.droppedRows,
        heapGrowthMB: megabytes(heapGrowth),
      });
      expect(zombieRooms).toBe(0);
      expect(joinedSessions.size).toBeGreaterThan(2000);
      expect(leftSessions.size).toBe(joinedSessions.size);
      expect(sessions).toHaveLength(joinedSessions.size);
      expect(lost).toBe(0);
      expect(sessions.filter((row) => row.leftAt === null)).toEqual([]);
      expect(sessions.filter((row) => row.leaveReason !== leftSessions.get(row.id))).toEqual([]);
      expect(reasons.timeout).toBeGreaterThan(0);
      expect(rooms).toHaveLength(roomsOpened);
      expect(rooms.filter((row) => row.closedAt === null || row.closeReason !== 'empty')).toEqual([]);
      expect(writer.stats.droppedRows).toBe(0);
      expect(heapGrowth / 1024 / 1024).toBeLessThan(48);
      expect(faults.faults).toEqual([]);
    } finally {
      clearInterval(checker);
      for (const socket of sockets) socket.terminate();
      await t.close();
    }
  }, 120_000);
});
