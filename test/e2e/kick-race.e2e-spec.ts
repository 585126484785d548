/**
 * SignalingService.kick(sessionId) must remove that session and nothing else.
 *
 * kick looks the session up, then removes the membership once the connection's in-flight commands
 * are done. If those commands are the client's own `leave` and a new `join` of the same stream, a
 * removal by (streamId, connectionId) alone hits the client's NEW session: the room loses a peer
 * with no `stop` to the other peer, no `leaved` to the client and no event. (Found with this test;
 * fixed in b8448b5 by the session-scoped `RoomRegistry.leave(streamId, connectionId, sessionId)`.)
 *
 * A registry with latency (as a shared Redis registry has, or a slow join authoriser) keeps the
 * connection's queue busy long enough for an operator's kick to land in that window; here a gated
 * in-memory registry makes the window deterministic.
 */
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { ConnectionRegistry } from '../../src/signaling/connections/connection-registry.service';
import { SignalingEventType, type SignalingEvent } from '../../src/signaling/events/signaling-event';
import { SignalingEvents } from '../../src/signaling/events/signaling-events.service';
import type { PeerIdentity } from '../../src/signaling/rooms/room-member';
import { InMemoryRoomRegistry } from '../../src/signaling/rooms/in-memory-room-registry';
import { RoomRegistry, type JoinOutcome } from '../../src/signaling/rooms/room-registry';
import { createSignalingWsAdapter } from '../../src/signaling/signaling-ws-adapter';
import { SignalingModule } from '../../src/signaling/signaling.module';
import { SignalingService } from '../../src/signaling/signaling.service';
import { WsTestClient } from '../support/ws-test-client';

/** The in-memory registry, except that joins of `slowStreamId` wait for `release()`. */
class GatedRoomRegistry extends InMemoryRoomRegistry {
  slowStreamId: string | undefined;
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  hold(streamId: string): void {
    this.slowStreamId = streamId;
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
  }

  override async join(streamId: string, peer: PeerIdentity): Promise<JoinOutcome> {
    if (streamId === this.slowStreamId) await this.gate;
    return super.join(streamId, peer);
  }
}

const joined = (streamId: string) => ({ command: 'notification', definition: 'joined', streamId });

describe('kick(sessionId) racing the client’s own leave + join', () => {
  let app: INestApplication;
  let registry: GatedRoomRegistry;
  let url: string;
  const clients: WsTestClient[] = [];
  const events: SignalingEvent[] = [];

  beforeAll(async () => {
    registry = new GatedRoomRegistry();
    const moduleRef = await Test.createTestingModule({ imports: [SignalingModule.forRoot({})] })
      .overrideProvider(RoomRegistry)
      .useValue(registry)
      .compile();
    app = moduleRef.createNestApplication({ logger: ['fatal', 'error', 'warn'] });
    app.useWebSocketAdapter(createSignalingWsAdapter(app));
    await app.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/WebRTCAppEE/websocket`;
    app.get(SignalingEvents).subscribe((event) => events.push(event));
  });

  afterAll(async () => {
    registry.release();
    for (const client of clients) client.terminate();
    await app.close();
  });

  async function connect(): Promise<WsTestClient> {
    const client = await WsTestClient.connect(url);
    clients.push(client);
    return client;
  }

  it('a kick of an ended session does not remove the connection’s new session of the same room', async () => {
    const streamId = 'race-room';
    const a = await connect();
    const b = await connect();
    a.send({ command: 'join', streamId });
    expect(await a.next()).toEqual(joined(streamId));
    b.send({ command: 'join', streamId });
    expect(await a.next()).toEqual({ command: 'start', streamId });
    expect(await b.next()).toEqual(joined(streamId));
    const [aMember, bMember] = (await registry.getRoom(streamId))?.members ?? [];
    const oldSession = { sessionId: aMember.sessionId, connectionId: aMember.connectionId };
    const bConnectionId = bMember.connectionId;

    // count the frames of a that reach the server (after the gateway's own listener has handled them)
    const serverSide = app.get(ConnectionRegistry).get(oldSession.connectionId);
    expect(serverSide).toBeDefined();
    let framesFromA = 0;
    serverSide?.socket.on('message', () => framesFromA++);

    // a's next commands wait behind a slow join (registry latency): join other, leave + rejoin race-room
    registry.hold('slow-room');
    a.send({ command: 'join', streamId: 'slow-room' });
    a.send({ command: 'leave', streamId });
    a.send({ command: 'join', streamId });
    for (const deadline = Date.now() + 3000; framesFromA < 3; ) {
      if (Date.now() > deadline) throw new Error(`the server received ${framesFromA} of 3 frames`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    // an operator kicks a's current session (as listed a moment ago) while those commands wait
    const kick = app.get(SignalingService).kick(oldSession.sessionId);
    await new Promise((resolve) => setImmediate(resolve));
    registry.release();

    // a's own commands take effect: joined slow-room, leaved, joined race-room again
    expect(await a.take(3)).toEqual([
      joined('slow-room'),
      { command: 'notification', definition: 'leaved', streamId },
      joined(streamId),
    ]);
    // b saw a leave (stop) and come back (start)
    expect(await b.take(2)).toEqual([{ command: 'stop', streamId }, { command: 'start', streamId }]);

    // the kicked session had already ended by the client's own leave: nothing else may change
    expect(await kick).toBe(false);
    await a.expectSilence(100);
    await b.expectSilence(0);
    const room = await registry.getRoom(streamId);
    // before the fix, kick removed a's NEW session here (room had only b), silently: b had been told
    // `start` and waited for an offer from a peer no longer in the room, a believed it was in the
    // room, and no peer.left event recorded the removal.
    expect(room?.members.map((m) => m.connectionId).sort()).toEqual(
      [oldSession.connectionId, bConnectionId].sort(),
    );
    const newSession = registry.membership(streamId, oldSession.connectionId);
    expect(newSession?.sessionId).not.toBe(oldSession.sessionId);
    // and the relay between a and b works
    a.send({ command: 'takeConfiguration', streamId, type: 'answer', sdp: 'v=0' });
    expect(await b.next()).toMatchObject({ command: 'takeConfiguration', type: 'answer' });
    // every removal that happened is recorded: a's own leave only
    const left = events.filter((e) => e.type === SignalingEventType.PeerLeft);
    expect(left.map((e) => (e.type === SignalingEventType.PeerLeft ? [e.member.sessionId, e.reason] : []))).toEqual([
      [oldSession.sessionId, 'leave'],
    ]);
  });
});
