import { SignalingEvents } from '../../src/signaling/events/signaling-events.service';
import { SignalingEventType, type SignalingEvent } from '../../src/signaling/events/signaling-event';
import { RoomRegistry } from '../../src/signaling/rooms/room-registry';
import { startTestApp, TestApp } from '../support/test-app';
import { WsTestClient } from '../support/ws-test-client';

/**
 * WebSocket-level heartbeat with a short interval: 100 ms pings, 300 ms timeout, so a socket that
 * stops answering is terminated within about half a second.
 */
describe('heartbeat', () => {
  let t: TestApp;
  let events: SignalingEvent[];
  let unsubscribe: () => void;
  const extraClients: WsTestClient[] = [];

  beforeAll(async () => {
    t = await startTestApp({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 300 });
  });
  beforeEach(() => {
    events = [];
    unsubscribe = t.app.get(SignalingEvents).subscribe((event) => events.push(event));
  });
  afterEach(() => unsubscribe());
  afterAll(async () => {
    for (const client of extraClients) client.terminate();
    await t.close();
  });

  /** A client that does not answer WebSocket pings (ws ≥ 8.16 `autoPong: false`). */
  async function deafClient(): Promise<WsTestClient> {
    const client = await WsTestClient.connect(t.wsUrl, { autoPong: false });
    extraClients.push(client);
    return client;
  }

  it('terminates a peer that stops answering pings; the other peer receives stop; reason timeout', async () => {
    const streamId = 'hb-timeout';
    const normal = await t.connect();
    const deaf = await deafClient();
    normal.send({ command: 'join', streamId });
    expect(await normal.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
    deaf.send({ command: 'join', streamId });
    expect(await normal.next()).toEqual({ command: 'start', streamId });
    expect(await deaf.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
    const deafMember = (await t.app.get(RoomRegistry).getRoom(streamId))?.members[1];
    expect(deafMember).toBeDefined();

    // from now on the deaf client sends nothing and does not answer pings
    const startedAt = Date.now();
    const code = await deaf.closed(3000);
    const elapsed = Date.now() - startedAt;
    // terminated (abnormal closure), not a clean close
    expect(code).toBe(1006);
    // not before the timeout has passed
    expect(elapsed).toBeGreaterThanOrEqual(250);

    expect(await normal.next(2000)).toEqual({ command: 'stop', streamId });
    const left = events.filter((e) => e.type === SignalingEventType.PeerLeft);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ type: SignalingEventType.PeerLeft, reason: 'timeout' });
    if (left[0].type === SignalingEventType.PeerLeft) {
      expect(left[0].member.streamId).toBe(streamId);
      expect(left[0].member.sessionId).toBe(deafMember?.sessionId);
    }

    // the room holds only the healthy peer, which is still connected and served
    const room = await t.app.get(RoomRegistry).getRoom(streamId);
    expect(room?.members).toHaveLength(1);
    expect(room?.members[0].peer).toBeUndefined();
    normal.send({ command: 'ping' });
    expect(await normal.next()).toEqual({ command: 'pong' });
    expect(normal.closeCode).toBeUndefined();

    // and a newcomer pairs with it at once (no stale membership)
    const newcomer = await t.connect();
    newcomer.send({ command: 'join', streamId });
    expect(await normal.next()).toEqual({ command: 'start', streamId });
    expect(await newcomer.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
  });

  it('terminates a deaf socket that is in no room, without events', async () => {
    const deaf = await deafClient();
    expect(await deaf.closed(3000)).toBe(1006);
    expect(events).toEqual([]);
  });

  it('keeps a silent client whose ws library answers pings (> 1 s without a frame)', async () => {
    const streamId = 'hb-silent';
    const a = await t.connect();
    const b = await t.connect();
    a.send({ command: 'join', streamId });
    b.send({ command: 'join', streamId });
    await a.take(2);
    await b.next();
    let pings = 0;
    a.socket.on('ping', () => pings++);

    await new Promise((resolve) => setTimeout(resolve, 1200));

    expect(a.closeCode).toBeUndefined();
    expect(b.closeCode).toBeUndefined();
    // the server did ping (about every 100 ms) and the automatic pongs kept the sockets alive
    expect(pings).toBeGreaterThanOrEqual(5);
    await a.expectSilence(0);
    await b.expectSilence(0);
    expect(events.filter((e) => e.type === SignalingEventType.PeerLeft)).toEqual([]);
    expect((await t.app.get(RoomRegistry).getRoom(streamId))?.members).toHaveLength(2);
    // the call still relays
    a.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: 'v=0' });
    expect(await b.next()).toMatchObject({ command: 'takeConfiguration', type: 'offer', sdp: 'v=0' });
  });

  it('frames alone keep a deaf client alive', async () => {
    const deaf = await deafClient();
    const timer = setInterval(() => deaf.send({ command: 'ping' }), 50);
    try {
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(deaf.closeCode).toBeUndefined();
    } finally {
      clearInterval(timer);
    }
    expect((await deaf.take(5)).every((f) => f.command === 'pong')).toBe(true);
    // once it stops sending, it is terminated
    expect(await deaf.closed(3000)).toBe(1006);
  });
});
