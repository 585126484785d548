/**
 * Several nodes write one history database (a cluster on Redis shares a PostgreSQL), each the events
 * it emitted, in its own batches: an older state of a row may reach the database after a newer one.
 * A closed row is final and a room's figures only grow. On PostgreSQL only: SQLite serves one node.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { PeerSession } from '../../src/persistence/entities/peer-session.entity';
import { RoomRecord } from '../../src/persistence/entities/room-record.entity';
import { HistoryWriter } from '../../src/persistence/history-writer.service';
import { SignalingEventType } from '../../src/signaling/events/signaling-event';
import { SignalingEvents } from '../../src/signaling/events/signaling-events.service';
import { LeaveReason } from '../../src/signaling/protocol/leave-reason.enum';
import type { RoomMember, RoomSnapshot } from '../../src/signaling/rooms/room-member';
import { databaseVariants } from '../support/database-variants';
import { startTestApp, type TestApp } from '../support/test-app';

const postgres = databaseVariants().filter((variant) => variant.name === 'PostgreSQL');
if (postgres.length === 0) console.warn('[shared-history] PostgreSQL is not installed: suite left out');

for (const variant of postgres) {
  describe('history shared by several nodes (PostgreSQL)', () => {
    let t: TestApp;
    let events: SignalingEvents;
    let writer: HistoryWriter;
    let dataSource: DataSource;

    beforeAll(async () => {
      t = await startTestApp({}, { database: await variant.options() });
      events = t.app.get(SignalingEvents);
      writer = t.app.get(HistoryWriter);
      dataSource = (writer as unknown as { dataSource: DataSource }).dataSource;
    });

    afterAll(async () => {
      await t?.close();
      await variant.cleanup();
    });

    const room = (overrides: Partial<RoomSnapshot>): RoomSnapshot => ({
      id: 'room-id',
      streamId: 'shared',
      nodeId: 'node-a',
      openedAt: new Date(1_000),
      callStartedAt: undefined,
      peakPeers: 1,
      callDurationMs: 0,
      members: [],
      ...overrides,
    });

    const member = (sessionId: string): RoomMember => ({
      sessionId,
      connectionId: randomUUID(),
      nodeId: 'node-b',
      remoteAddress: '127.0.0.1',
      userAgent: 'test',
      mode: 'both',
      streamId: 'shared',
      roomId: 'room-id',
      joinedAt: new Date(2_000),
      peer: undefined,
      messagesRelayed: 7,
      bytesRelayed: 700,
    });

    it('a late open room row never reopens a closed one nor lowers its figures', async () => {
      const id = randomUUID();
      const final = room({ id, peakPeers: 2, callStartedAt: new Date(3_000), callDurationMs: 5_000 });
      events.emit({ type: SignalingEventType.RoomClosed, at: new Date(9_000), room: final });
      await writer.flush();
      // node A's batch with the room as it opened arrives last
      events.emit({ type: SignalingEventType.RoomOpened, at: new Date(1_000), streamId: 'shared', room: room({ id }) });
      await writer.flush();
      expect(await dataSource.getRepository(RoomRecord).findOneByOrFail({ id })).toMatchObject({
        nodeId: 'node-a',
        closedAt: new Date(9_000),
        closeReason: 'empty',
        peakPeers: 2,
        callStartedAt: new Date(3_000),
        callDurationMs: 5_000,
      });
    });

    it('between open states the newer wins: a call started is not undone by the room opened', async () => {
      const id = randomUUID();
      const started = room({ id, peakPeers: 2, callStartedAt: new Date(3_000) });
      events.emit({ type: SignalingEventType.CallStarted, at: new Date(3_000), streamId: 'shared', room: started, offerer: member(randomUUID()), answerer: member(randomUUID()) });
      await writer.flush();
      events.emit({ type: SignalingEventType.RoomOpened, at: new Date(1_000), streamId: 'shared', room: room({ id }) });
      await writer.flush();
      expect(await dataSource.getRepository(RoomRecord).findOneByOrFail({ id })).toMatchObject({
        closedAt: null,
        peakPeers: 2,
        callStartedAt: new Date(3_000),
      });
    });

    it('a late open session row never reopens a closed one; rows keep the member’s node', async () => {
      const sessionId = randomUUID();
      events.emit({ type: SignalingEventType.PeerLeft, at: new Date(8_000), member: member(sessionId), reason: LeaveReason.Disconnect });
      await writer.flush();
      events.emit({ type: SignalingEventType.PeerJoined, at: new Date(2_000), member: { ...member(sessionId), messagesRelayed: 0, bytesRelayed: 0 } });
      await writer.flush();
      expect(await dataSource.getRepository(PeerSession).findOneByOrFail({ id: sessionId })).toMatchObject({
        nodeId: 'node-b',
        leftAt: new Date(8_000),
        leaveReason: 'disconnect',
        messagesRelayed: 7,
      });
    });
  });
}
