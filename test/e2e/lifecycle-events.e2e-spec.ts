import { SignalingEvents } from '../../src/signaling/events/signaling-events.service';
import { SignalingEventType, type SignalingEvent } from '../../src/signaling/events/signaling-event';
import type { RoomMember } from '../../src/signaling/rooms/room-member';
import { RoomRegistry } from '../../src/signaling/rooms/room-registry';
import { SignalingService } from '../../src/signaling/signaling.service';
import { startTestApp, TestApp } from '../support/test-app';
import { WsTestClient } from '../support/ws-test-client';
import { pair } from '../support/call';

const joined = (streamId: string) => ({ command: 'notification', definition: 'joined', streamId });
const stop = (streamId: string) => ({ command: 'stop', streamId });

type EventOf<T extends SignalingEventType> = Extract<SignalingEvent, { type: T }>;

/** Records the lifecycle events of one test. */
class EventLog {
  readonly events: SignalingEvent[] = [];
  private readonly unsubscribe: () => void;

  constructor(t: TestApp) {
    this.unsubscribe = t.app.get(SignalingEvents).subscribe((event) => this.events.push(event));
  }

  of<T extends SignalingEventType>(type: T): Array<EventOf<T>> {
    return this.events.filter((e): e is EventOf<T> => e.type === type);
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  /** Peer-left events as [streamId, connectionId, reason]. */
  departures(): Array<[string, string, string]> {
    return this.of(SignalingEventType.PeerLeft).map((e) => [e.member.streamId, e.member.connectionId, e.reason]);
  }

  /** Waits until `count` events of `type` were seen (events are emitted after the frames are sent). */
  async waitFor(type: SignalingEventType, count = 1, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.of(type).length < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} ${type} event(s); saw ${this.types().join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  stop(): void {
    this.unsubscribe();
  }
}

const RELAYED = new Set(['takeConfiguration', 'takeCandidate', 'peerMessageCommand']);

/** Count and UTF-8 size of the relayed frames a client receives (the raw text, as the server sent it). */
function countRelayed(client: WsTestClient): { bytes: number; frames: number } {
  const counter = { bytes: 0, frames: 0 };
  client.socket.on('message', (data: Buffer) => {
    if (!RELAYED.has((JSON.parse(data.toString('utf8')) as { command: string }).command)) return;
    counter.bytes += data.length;
    counter.frames++;
  });
  return counter;
}

/** Runs `fn` with Nest's console output captured (and kept out of the test report). */
async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; output: string }> {
  const written: string[] = [];
  const capture = (chunk: unknown): boolean => {
    written.push(String(chunk));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    return { result: await fn(), output: written.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

async function members(t: TestApp, streamId: string): Promise<readonly RoomMember[]> {
  return (await t.app.get(RoomRegistry).getRoom(streamId))?.members ?? [];
}

describe('lifecycle events and exit paths', () => {
  let t: TestApp;
  let log: EventLog;
  beforeAll(async () => {
    t = await startTestApp();
  });
  beforeEach(() => {
    log = new EventLog(t);
  });
  afterEach(() => log.stop());
  afterAll(() => t.close());

  it('a call: room.opened, peer.joined, peer.joined, call.started (offerer = first peer), then leave and disconnect', async () => {
    const streamId = 'lc-call';
    const [a, b] = await pair(t, streamId);
    expect(log.types()).toEqual(['room.opened', 'peer.joined', 'peer.joined', 'call.started']);

    const [opened] = log.of(SignalingEventType.RoomOpened);
    expect(opened.streamId).toBe(streamId);
    const [first, second] = log.of(SignalingEventType.PeerJoined).map((e) => e.member);
    expect(first.streamId).toBe(streamId);
    expect(second.streamId).toBe(streamId);
    expect(first.connectionId).not.toBe(second.connectionId);
    const [started] = log.of(SignalingEventType.CallStarted);
    expect(started.streamId).toBe(streamId);
    expect(started.offerer.sessionId).toBe(first.sessionId);
    expect(started.answerer.sessionId).toBe(second.sessionId);
    for (const event of log.events) expect(event.at).toBeInstanceOf(Date);
    const [registryFirst, registrySecond] = await members(t, streamId);
    expect(registryFirst.sessionId).toBe(first.sessionId);
    expect(registrySecond.sessionId).toBe(second.sessionId);
    expect(first.userAgent).toBeDefined();
    expect(first.remoteAddress).toMatch(/127\.0\.0\.1/);

    // relay traffic in both directions, counting the bytes each side receives
    const toB = countRelayed(b);
    const toA = countRelayed(a);
    const offer = 'v=0\r\n' + 'a=x\r\n'.repeat(200);
    a.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: offer });
    for (let i = 0; i < 5; i++) a.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: `candidate:${i} ü` });
    a.send({ command: 'peerMessageCommand', streamId, definition: 'chat', data: { text: 'hello' } });
    b.send({ command: 'takeConfiguration', streamId, type: 'answer', sdp: 'v=0 answer' });
    b.send({ command: 'takeCandidate', streamId, label: 1, candidate: '' });
    await b.take(7);
    await a.take(2);
    // frames that are not relayed do not count
    a.send({ command: 'ping' });
    a.send({ command: 'takeCandidate', streamId, label: 'bad', candidate: 'x' });
    await a.take(2);

    b.send({ command: 'leave', streamId });
    expect(await a.next()).toEqual(stop(streamId));
    expect(await b.next()).toEqual({ command: 'notification', definition: 'leaved', streamId });
    a.terminate();
    await log.waitFor(SignalingEventType.RoomClosed);

    expect(log.types()).toEqual([
      'room.opened',
      'peer.joined',
      'peer.joined',
      'call.started',
      'peer.left',
      'peer.left',
      'room.closed',
    ]);
    const [bLeft, aLeft] = log.of(SignalingEventType.PeerLeft);
    expect(bLeft.reason).toBe('leave');
    expect(bLeft.member.sessionId).toBe(second.sessionId);
    expect(bLeft.member.messagesRelayed).toBe(2);
    expect(bLeft.member.bytesRelayed).toBe(toA.bytes);
    expect(aLeft.reason).toBe('disconnect');
    expect(aLeft.member.sessionId).toBe(first.sessionId);
    expect(aLeft.member.messagesRelayed).toBe(7);
    expect(aLeft.member.bytesRelayed).toBe(toB.bytes);
    expect(toB.frames).toBe(7);
    expect(toA.frames).toBe(2);
    const [closed] = log.of(SignalingEventType.RoomClosed);
    expect(closed.room.streamId).toBe(streamId);
    expect(closed.room.peakPeers).toBe(2);
    expect(closed.room.callStartedAt).toEqual(started.at);
    expect(await t.app.get(RoomRegistry).getRoom(streamId)).toBeUndefined();
  });

  it('a lone peer: room.opened and peer.joined, no call.started; leaving closes the room', async () => {
    const a = await t.connect();
    a.send({ command: 'join', streamId: 'lc-alone' });
    await a.next();
    expect(log.types()).toEqual(['room.opened', 'peer.joined']);
    a.send({ command: 'leave', streamId: 'lc-alone' });
    await a.next();
    expect(log.types()).toEqual(['room.opened', 'peer.joined', 'peer.left', 'room.closed']);
    expect(log.departures()[0][2]).toBe('leave');
  });

  it('a refused third join and a repeated join by a lone member emit nothing', async () => {
    await pair(t, 'lc-full');
    const before = log.events.length;
    const c = await t.connect();
    c.send({ command: 'join', streamId: 'lc-full' });
    expect(await c.next()).toMatchObject({ command: 'error', definition: 'NoSpaceForNewPeer' });
    c.send({ command: 'join', streamId: 'lc-alone-again' });
    expect(await c.next()).toEqual(joined('lc-alone-again'));
    const afterJoin = log.events.length;
    c.send({ command: 'join', streamId: 'lc-alone-again' });
    expect(await c.next()).toEqual(joined('lc-alone-again'));
    expect(log.events.length - afterJoin).toBe(0);
    expect(log.events.slice(before).map((e) => e.type)).toEqual(['room.opened', 'peer.joined']);
  });

  it('a repeated join by a member with a partner ends its session (rejoin) and starts a new call in the same room', async () => {
    const [a, b] = await pair(t, 'lc-rejoin');
    const before = log.events.length;
    const [oldSession] = log.of(SignalingEventType.PeerJoined).filter((e) => e.member.connectionId !== undefined).slice(-1);
    b.send({ command: 'join', streamId: 'lc-rejoin' });
    expect(await a.next()).toEqual(stop('lc-rejoin'));
    expect(await a.next()).toEqual({ command: 'start', streamId: 'lc-rejoin' });
    expect(await b.next()).toEqual(joined('lc-rejoin'));
    await log.waitFor(SignalingEventType.CallStarted, 2);
    const events = log.events.slice(before);
    expect(events.map((e) => e.type)).toEqual(['peer.left', 'peer.joined', 'call.started']);
    const [left, rejoined, started] = events as [
      EventOf<SignalingEventType.PeerLeft>,
      EventOf<SignalingEventType.PeerJoined>,
      EventOf<SignalingEventType.CallStarted>,
    ];
    expect(left.reason).toBe('rejoin');
    expect(left.member.sessionId).toBe(oldSession.member.sessionId);
    expect(rejoined.member.connectionId).toBe(oldSession.member.connectionId);
    expect(rejoined.member.sessionId).not.toBe(oldSession.member.sessionId);
    expect(rejoined.member.roomId).toBe(oldSession.member.roomId);
    expect(started.offerer.connectionId).not.toBe(rejoined.member.connectionId);
    // the new session relays as before
    a.send({ command: 'takeConfiguration', streamId: 'lc-rejoin', type: 'offer', sdp: 'v=0' });
    expect(await b.next()).toMatchObject({ command: 'takeConfiguration', type: 'offer', sdp: 'v=0' });
  });

  describe('SignalingService.kick', () => {
    it('kicked peer receives stop then leaved (reason kicked); the other receives stop; event reason kicked', async () => {
      const streamId = 'lc-kick';
      const [a, b] = await pair(t, streamId);
      const [, bMember] = await members(t, streamId);

      expect(await t.app.get(SignalingService).kick(bMember.sessionId)).toBe(true);

      expect(await b.take(2)).toEqual([stop(streamId), { command: 'notification', definition: 'leaved', streamId, reason: 'kicked' }]);
      expect(await a.next()).toEqual(stop(streamId));
      expect(log.departures()).toEqual([[streamId, bMember.connectionId, 'kicked']]);
      expect((await members(t, streamId)).map((m) => m.connectionId)).not.toContain(bMember.connectionId);

      // the kicked socket stays open and may join again
      expect(b.closeCode).toBeUndefined();
      b.send({ command: 'join', streamId });
      expect(await a.next()).toEqual({ command: 'start', streamId });
      expect(await b.next()).toEqual(joined(streamId));

      // a kicked or unknown session is not kicked twice
      expect(await t.app.get(SignalingService).kick(bMember.sessionId)).toBe(false);
      expect(await t.app.get(SignalingService).kick('no-such-session')).toBe(false);
      await a.expectSilence(50);
    });

    it('kick with { disconnect: true } also closes the kicked socket with 4001, ending its other rooms as kicked', async () => {
      const [a, b] = await pair(t, 'lc-kick-dc');
      const c = await t.connect();
      // b is also in a second room, with c
      b.send({ command: 'join', streamId: 'lc-kick-dc-2' });
      expect(await b.next()).toEqual(joined('lc-kick-dc-2'));
      c.send({ command: 'join', streamId: 'lc-kick-dc-2' });
      expect(await b.next()).toEqual({ command: 'start', streamId: 'lc-kick-dc-2' });
      await c.next();
      const [, bMember] = await members(t, 'lc-kick-dc');

      expect(await t.app.get(SignalingService).kick(bMember.sessionId, { disconnect: true })).toBe(true);

      expect(await b.take(2)).toEqual([
        stop('lc-kick-dc'),
        { command: 'notification', definition: 'leaved', streamId: 'lc-kick-dc', reason: 'kicked' },
      ]);
      expect(await b.closed()).toBe(4001);
      expect(await a.next()).toEqual(stop('lc-kick-dc'));
      expect(await c.next()).toEqual(stop('lc-kick-dc-2'));
      await log.waitFor(SignalingEventType.PeerLeft, 2);
      expect(log.departures().sort()).toEqual(
        [
          ['lc-kick-dc', bMember.connectionId, 'kicked'],
          ['lc-kick-dc-2', bMember.connectionId, 'kicked'],
        ].sort(),
      );
      expect(await members(t, 'lc-kick-dc')).toHaveLength(1);
      expect(await members(t, 'lc-kick-dc-2')).toHaveLength(1);
    });

    it('kickRoom removes both peers', async () => {
      const [a, b] = await pair(t, 'lc-kick-room');
      expect(await t.app.get(SignalingService).kickRoom('lc-kick-room')).toBe(2);
      const aFrames = await a.take(2);
      const bFrames = await b.take(2);
      // the first kicked peer (a) gets stop + leaved; b gets stop (a left) then its own stop + leaved
      expect(aFrames).toEqual([stop('lc-kick-room'), { command: 'notification', definition: 'leaved', streamId: 'lc-kick-room', reason: 'kicked' }]);
      expect(bFrames[0]).toEqual(stop('lc-kick-room'));
      expect(log.departures().map((d) => d[2])).toEqual(['kicked', 'kicked']);
      expect(await t.app.get(RoomRegistry).getRoom('lc-kick-room')).toBeUndefined();
      expect(await t.app.get(SignalingService).kickRoom('lc-kick-room')).toBe(0);
    });
  });

  it('a frame over maxFrameBytes closes the socket with 1009; the other peer receives stop', async () => {
    const streamId = 'lc-too-big';
    const [a, b] = await pair(t, streamId);
    await captureOutput(async () => {
      b.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: 'x'.repeat(300 * 1024) });
      expect(await b.closed()).toBe(1009);
      expect(await a.next()).toEqual(stop(streamId));
      await log.waitFor(SignalingEventType.PeerLeft);
    });
    expect(log.departures()).toEqual([[streamId, expect.any(String), 'disconnect']]);
    // nothing of the oversized frame was relayed
    await a.expectSilence(50);
    expect(await members(t, streamId)).toHaveLength(1);
  });

  it('a large frame under the limit is still relayed, and the socket stays open', async () => {
    const streamId = 'lc-big-ok';
    const [a, b] = await pair(t, streamId);
    const sdp = 'y'.repeat(120 * 1024);
    a.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp });
    expect((await b.next()).sdp).toBe(sdp);
    expect(a.closeCode).toBeUndefined();
  });

  it('a listener that throws does not break signaling nor the other listeners', async () => {
    const events = t.app.get(SignalingEvents);
    let thrown = 0;
    const removeThrowing = events.subscribe(() => {
      thrown++;
      throw new Error('listener exploded');
    });
    const after: string[] = [];
    const removeAfter = events.subscribe((e) => after.push(e.type));
    const streamId = 'lc-throwing';
    let output: string;
    try {
      ({ output } = await captureOutput(async () => {
        const [a, b] = await pair(t, streamId);
        a.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: 'v=0' });
        expect(await b.next()).toMatchObject({ command: 'takeConfiguration', type: 'offer' });
        b.send({ command: 'leave', streamId });
        expect(await a.next()).toEqual(stop(streamId));
        expect(await b.next()).toMatchObject({ definition: 'leaved' });
        a.send({ command: 'leave', streamId });
        expect(await a.next()).toMatchObject({ definition: 'leaved' });
      }));
    } finally {
      removeThrowing();
      removeAfter();
    }
    const expected = ['room.opened', 'peer.joined', 'peer.joined', 'call.started', 'peer.left', 'peer.left', 'room.closed'];
    expect(after).toEqual(expected);
    expect(log.types()).toEqual(expected);
    expect(thrown).toBe(expected.length);
    expect(output).toContain('listener failed on room.opened: listener exploded');
    expect(await t.app.get(RoomRegistry).getRoom(streamId)).toBeUndefined();
  });
});

describe('graceful shutdown', () => {
  it('app.close() with a call up: the remaining peer gets stop, both sockets close with 1001, reasons shutdown, registry empty', async () => {
    const t = await startTestApp();
    const log = new EventLog(t);
    const registry = t.app.get(RoomRegistry);
    const [a, b] = await pair(t, 'lc-shutdown');
    const lone = await t.connect();
    lone.send({ command: 'join', streamId: 'lc-shutdown-lone' });
    await lone.next();

    await t.app.close();

    expect(await a.closed()).toBe(1001);
    expect(await b.closed()).toBe(1001);
    expect(await lone.closed()).toBe(1001);
    // every peer of the call that was still in it when its partner left received stop
    const stops = [...a.received, ...b.received].filter((f) => f.command === 'stop');
    expect(stops).toEqual([stop('lc-shutdown')]);
    expect(b.received.slice(-1)).toEqual([stop('lc-shutdown')]);
    expect(log.of(SignalingEventType.PeerLeft).map((e) => e.reason)).toEqual(['shutdown', 'shutdown', 'shutdown']);
    expect(log.of(SignalingEventType.RoomClosed).map((e) => e.room.streamId).sort()).toEqual(['lc-shutdown', 'lc-shutdown-lone']);
    expect(await registry.listRooms()).toEqual([]);
    log.stop();
  });
});
