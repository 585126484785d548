import type { Socket } from 'node:net';
import { LIVENESS_RECENT_MS } from '../../src/signaling/connections/liveness-probe.service';
import { SignalingEvents } from '../../src/signaling/events/signaling-events.service';
import { SignalingEventType, type SignalingEvent } from '../../src/signaling/events/signaling-event';
import { SignalingStats } from '../../src/signaling/signaling-stats.service';
import { pair } from '../support/call';
import { startTestApp, TestApp } from '../support/test-app';
import { WsTestClient } from '../support/ws-test-client';
import { printFigures } from '../support/figures';

const joined = (streamId: string) => ({ command: 'notification', definition: 'joined', streamId });
const start = (streamId: string) => ({ command: 'start', streamId });
const stop = (streamId: string) => ({ command: 'stop', streamId });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The client's TCP socket: pausing it makes the client stop reading (and so stop answering pings). */
function tcp(client: WsTestClient): Socket {
  return (client.socket as unknown as { _socket: Socket })._socket;
}

/** WebSocket pings the client receives (the server's heartbeat and liveness probes). */
function countPings(client: WsTestClient): { count: number } {
  const counter = { count: 0 };
  client.socket.on('ping', () => counter.count++);
  return counter;
}

/**
 * Clients as they behave in the field: a member that vanished half-open and is replaced by its own
 * reconnect, live members that are never displaced, a re-join on the same socket, play-only peers,
 * and WebSocket control frames metered like frames. Default probe timing (1.5 s), a long heartbeat
 * (so only the probe can find a silent member).
 */
describe('clients in the field', () => {
  let t: TestApp;
  let events: SignalingEvent[];
  let unsubscribe: () => void;

  beforeAll(async () => {
    t = await startTestApp({ heartbeatIntervalMs: 60_000, heartbeatTimeoutMs: 120_000 });
  });
  beforeEach(() => {
    events = [];
    unsubscribe = t.app.get(SignalingEvents).subscribe((event) => events.push(event));
  });
  afterEach(() => unsubscribe());
  afterAll(() => t.close());

  const departures = () =>
    events.flatMap((e) => (e.type === SignalingEventType.PeerLeft ? [[e.member.connectionId, e.reason] as const] : []));

  describe('contested join', () => {
    it('a half-open member is replaced by a new socket within 5 s; its partner gets stop then start', async () => {
      const streamId = 'field-half-open';
      const [a, b] = await pair(t, streamId);
      // b's network is gone: it reads nothing, answers nothing, sends nothing (the phone switched networks)
      // (its last frame was a moment ago: a recent frame does not spare a member the probe)
      tcp(b).pause();
      const reconnect = await t.connect();
      const startedAt = Date.now();
      reconnect.send({ command: 'join', streamId });
      expect(await reconnect.next(5000)).toEqual(joined(streamId));
      const waited = Date.now() - startedAt;
      expect(await a.next()).toEqual(stop(streamId));
      expect(await a.next()).toEqual(start(streamId));
      // not before the probe's time: the member was given its chance to answer
      expect(waited).toBeGreaterThanOrEqual(1400);
      expect(waited).toBeLessThan(5000);
      expect(departures().map(([, reason]) => reason)).toEqual(['timeout']);
      // the new pair relays
      a.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: 'v=0' });
      expect(await reconnect.next()).toMatchObject({ command: 'takeConfiguration', type: 'offer', sdp: 'v=0' });
      printFigures('half-open-replaced', { waitedMs: waited, probeTimeoutMs: 1500 });
    });

    it('two live members are probed and kept: the third joiner gets NoSpaceForNewPeer and the call is untouched', async () => {
      const streamId = 'field-live';
      const [a, b] = await pair(t, streamId);
      const pingsA = countPings(a);
      const pingsB = countPings(b);
      const c = await t.connect();
      const startedAt = Date.now();
      c.send({ command: 'join', streamId });
      expect(await c.next()).toEqual({ command: 'error', definition: 'NoSpaceForNewPeer', streamId });
      const waited = Date.now() - startedAt;
      // each member was pinged once and answered (the client's automatic pong) at once
      expect([pingsA.count, pingsB.count]).toEqual([1, 1]);
      expect(waited).toBeLessThan(500);
      // having answered a ping less than LIVENESS_RECENT_MS ago, the members are not probed again
      c.send({ command: 'join', streamId });
      expect(await c.next()).toEqual({ command: 'error', definition: 'NoSpaceForNewPeer', streamId });
      expect([pingsA.count, pingsB.count]).toEqual([1, 1]);
      await sleep(LIVENESS_RECENT_MS + 50);
      c.send({ command: 'join', streamId });
      expect(await c.next()).toEqual({ command: 'error', definition: 'NoSpaceForNewPeer', streamId });
      expect([pingsA.count, pingsB.count]).toEqual([2, 2]);
      a.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:1' });
      expect(await b.next()).toMatchObject({ command: 'takeCandidate', candidate: 'candidate:1' });
      b.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:2' });
      expect(await a.next()).toMatchObject({ command: 'takeCandidate', candidate: 'candidate:2' });
      await a.expectSilence(50);
      await b.expectSilence(50);
      expect(departures()).toEqual([]);
    });

    it('frames of the joining socket stay in order behind the probe', async () => {
      const streamId = 'field-order';
      const [a, b] = await pair(t, streamId);
      tcp(b).pause();
      const c = await t.connect();
      c.send({ command: 'join', streamId });
      c.send({ command: 'ping' });
      c.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:behind-the-probe' });
      expect(await c.next(5000)).toEqual(joined(streamId));
      expect(await c.next()).toEqual({ command: 'pong' });
      expect(await a.next()).toEqual(stop(streamId));
      expect(await a.next()).toEqual(start(streamId));
      expect(await a.next()).toMatchObject({ command: 'takeCandidate', candidate: 'candidate:behind-the-probe' });
      await c.expectSilence(50);
    });

    it('a member that closes and a joiner in the same moment: the joiner gets the place', async () => {
      const streamId = 'field-same-moment';
      const [a, b] = await pair(t, streamId);
      const c = await t.connect();
      b.terminate();
      c.send({ command: 'join', streamId });
      expect(await c.next()).toEqual(joined(streamId));
      expect(await a.next()).toEqual(stop(streamId));
      expect(await a.next()).toEqual(start(streamId));
      expect(departures().map(([, reason]) => reason)).toEqual(['disconnect']);
    });
  });

  describe('re-join on the same socket', () => {
    it('with a partner: the partner gets stop then start, the re-joiner joined; the old session ends with reason rejoin', async () => {
      const streamId = 'field-rejoin';
      const [a, b] = await pair(t, streamId);
      b.send({ command: 'join', streamId });
      expect(await a.next()).toEqual(stop(streamId));
      expect(await a.next()).toEqual(start(streamId));
      expect(await b.next()).toEqual(joined(streamId));
      await b.expectSilence(50);
      expect(departures().map(([, reason]) => reason)).toEqual(['rejoin']);
      const response = await fetch(`${t.httpUrl}/api/v1/sessions?streamId=${streamId}&limit=10`, {
        headers: { 'x-api-key': 'test-admin-key' },
      });
      const page = (await response.json()) as { items: Array<{ connectionId: string; leaveReason: string | null }> };
      const reasons = page.items.map((s) => s.leaveReason).sort((x, y) => String(x).localeCompare(String(y)));
      expect(reasons).toEqual([null, null, 'rejoin']);
    });

    it('alone in its room: joined again and nothing else', async () => {
      const streamId = 'field-rejoin-alone';
      const a = await t.connect();
      a.send({ command: 'join', streamId });
      expect(await a.next()).toEqual(joined(streamId));
      a.send({ command: 'join', streamId });
      expect(await a.next()).toEqual(joined(streamId));
      await a.expectSilence(50);
      expect(departures()).toEqual([]);
    });
  });

  describe('who makes the offer', () => {
    async function join(client: WsTestClient, streamId: string, mode?: string): Promise<void> {
      client.send({ command: 'join', streamId, ...(mode ? { mode } : {}) });
    }

    it('a play-only waiting peer: the joiner gets joined then start and offers; the waiting peer answers', async () => {
      const streamId = 'field-play';
      const viewer = await t.connect();
      const camera = await t.connect();
      await join(viewer, streamId, 'play');
      expect(await viewer.next()).toEqual(joined(streamId));
      await join(camera, streamId, 'both');
      expect(await camera.next()).toEqual(joined(streamId));
      expect(await camera.next()).toEqual(start(streamId));
      await viewer.expectSilence(100);
      camera.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: 'v=0 sendonly' });
      expect(await viewer.next()).toMatchObject({ command: 'takeConfiguration', type: 'offer', sdp: 'v=0 sendonly' });
      viewer.send({ command: 'takeConfiguration', streamId, type: 'answer', sdp: 'v=0 recvonly' });
      expect(await camera.next()).toMatchObject({ command: 'takeConfiguration', type: 'answer' });
      const started = events.find((e) => e.type === SignalingEventType.CallStarted);
      expect(started?.type === SignalingEventType.CallStarted && started.offerer.mode).toBe('both');
    });

    it.each([
      ['play', 'play'],
      ['both', 'play'],
      ['both', undefined],
      [undefined, 'both'],
    ])('waiting mode %s, joiner mode %s: the waiting peer gets start', async (waitingMode, joinerMode) => {
      const streamId = `field-modes-${waitingMode}-${joinerMode}`;
      const waiting = await t.connect();
      const joiner = await t.connect();
      await join(waiting, streamId, waitingMode);
      expect(await waiting.next()).toEqual(joined(streamId));
      await join(joiner, streamId, joinerMode);
      expect(await waiting.next()).toEqual(start(streamId));
      expect(await joiner.next()).toEqual(joined(streamId));
      await joiner.expectSilence(50);
    });
  });

  describe('WebSocket control frames', () => {
    it('pings are answered by the server (autoPong is off) and count as life', async () => {
      const client = await t.connect();
      const pong = new Promise<Buffer>((resolve) => client.socket.once('pong', resolve));
      client.socket.ping(Buffer.from('hello'));
      expect((await pong).toString()).toBe('hello');
    });

    it('a ping flood is closed with 1008 like a frame flood (reason rate_limited)', async () => {
      const stats = t.app.get(SignalingStats);
      const before = stats.closedConnections.get('rate_limited' as never) ?? 0;
      const flooder = await t.connect();
      for (let i = 0; i < 2000 && flooder.socket.readyState === flooder.socket.OPEN; i++) flooder.socket.ping();
      expect(await flooder.closed()).toBe(1008);
      expect((stats.closedConnections.get('rate_limited' as never) ?? 0) - before).toBe(1);
    });

    it('unsolicited pongs count against the rate limit too', async () => {
      const flooder = await t.connect();
      for (let i = 0; i < 2000 && flooder.socket.readyState === flooder.socket.OPEN; i++) flooder.socket.pong();
      expect(await flooder.closed()).toBe(1008);
    });
  });
});

/** Output backpressure with the smallest cap the options allow. */
describe('send buffer cap', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ maxFrameBytes: 80 * 1024, limits: { maxBufferedBytes: 80 * 1024 } });
  });
  afterAll(() => t.close());

  it('a peer that stops reading is closed with 4002 (slow_consumer); its partner gets stop', async () => {
    const streamId = 'field-slow';
    const [a, b] = await pair(t, streamId);
    const events: SignalingEvent[] = [];
    const unsubscribe = t.app.get(SignalingEvents).subscribe((event) => events.push(event));
    tcp(b).pause();
    const data = 'x'.repeat(60 * 1024);
    let sent = 0;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !events.some((e) => e.type === SignalingEventType.PeerLeft)) {
      a.send({ command: 'peerMessageCommand', streamId, definition: 'bulk', data });
      sent++;
      await sleep(sent % 50 === 0 ? 20 : 0);
    }
    unsubscribe();
    expect(await a.next()).toEqual(stop(streamId));
    const left = events.find((e) => e.type === SignalingEventType.PeerLeft);
    expect(left?.type === SignalingEventType.PeerLeft && left.reason).toBe('slow_consumer');
    expect(t.app.get(SignalingStats).closedConnections.get('slow_consumer' as never)).toBe(1);
    // once it reads again it finds the close frame after what was queued before the cap
    tcp(b).resume();
    expect(await b.closed(10_000)).toBe(4002);
    const relayed = b.received.filter((f) => f.command === 'peerMessageCommand').length;
    expect(relayed).toBeLessThan(sent);
    printFigures('slow-reader-e2e', { framesSent: sent, frameKiB: 60, reachedIt: relayed, closeCode: 4002 });
  });
});
