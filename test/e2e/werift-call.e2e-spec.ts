/**
 * A real WebRTC call through the signaling server: two werift peers, each driven by its own ws
 * client exactly as the Ant Media JS SDK drives a browser, open a data channel to each other.
 *
 * Network rule: no packet may leave loopback. The peers gather and pair on 127.0.0.1 only (see
 * loopbackPeerConfig), use a STUN responder on 127.0.0.1, and the LoopbackNetworkGuard refuses and
 * records any UDP send, UDP bind or DNS lookup that is not loopback; the test asserts there was none.
 */
import { AmsWeriftPeer, candidateAddress, loopbackPeerConfig } from '../support/ams-werift-peer';
import { LoopbackNetworkGuard } from '../support/loopback-network-guard';
import { LoopbackStunServer } from '../support/loopback-stun-server';
import { nextMessage, opened, withTimeout } from '../support/werift-channel';
import { startTestApp, TestApp } from '../support/test-app';

const CALL_TIMEOUT_MS = 20_000;

describe('a real WebRTC call (werift peers) signaled through the server', () => {
  let guard: LoopbackNetworkGuard;
  let stun: LoopbackStunServer;
  let t: TestApp;
  const peers: AmsWeriftPeer[] = [];

  beforeAll(async () => {
    guard = LoopbackNetworkGuard.install();
    stun = await LoopbackStunServer.start();
    t = await startTestApp();
  });

  afterAll(async () => {
    await Promise.allSettled(peers.map((peer) => peer.close()));
    await t?.close();
    await stun?.close();
    guard?.uninstall();
  });

  it(
    'offer/answer/candidates relayed as the SDK expects; data channel both ways; leave → stop',
    async () => {
      const streamId = 'werift-call';
      const config = loopbackPeerConfig(stun.url);
      const alice = new AmsWeriftPeer('alice', await t.connect('?target=origin'), config);
      const bob = new AmsWeriftPeer('bob', await t.connect('?target=origin'), config);
      peers.push(alice, bob);

      alice.join(streamId);
      expect(await alice.ws.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
      bob.join(streamId);
      expect(await bob.ws.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
      // alice was waiting: she receives start and makes the offer
      expect(await alice.ws.next()).toEqual({ command: 'start', streamId });

      const [aliceChannel, bobChannel] = await withTimeout(Promise.all([alice.channel, bob.channel]), 'the data channels');
      await withTimeout(Promise.all([opened(aliceChannel), opened(bobChannel)]), 'the data channels to open');
      expect(aliceChannel.label).toBe(streamId);
      expect(bobChannel.label).toBe(streamId);

      const toBob = nextMessage(bobChannel);
      aliceChannel.send('hello bob, from alice ✓');
      expect(await withTimeout(toBob, 'alice → bob')).toBe('hello bob, from alice ✓');
      const toAlice = nextMessage(aliceChannel);
      bobChannel.send('hello alice, from bob ✓');
      expect(await withTimeout(toAlice, 'bob → alice')).toBe('hello alice, from bob ✓');

      expect(alice.pc.connectionState).toBe('connected');
      expect(bob.pc.connectionState).toBe('connected');

      // what went over signaling has the contract's shapes
      const bobOffers = bob.ws.received.filter((f) => f.command === 'takeConfiguration');
      const aliceAnswers = alice.ws.received.filter((f) => f.command === 'takeConfiguration');
      expect(bobOffers).toEqual([{ command: 'takeConfiguration', streamId, type: 'offer', sdp: expect.any(String), idMapping: {} }]);
      expect(aliceAnswers).toEqual([{ command: 'takeConfiguration', streamId, type: 'answer', sdp: expect.any(String), idMapping: {} }]);
      expect(bobOffers[0].sdp).toContain('m=application');
      for (const peer of [alice, bob]) {
        expect(peer.receivedCandidates.length).toBeGreaterThan(0);
        for (const received of peer.receivedCandidates) {
          expect(typeof received.label).toBe('number');
          expect(typeof received.id).toBe('string');
          expect(typeof received.candidate).toBe('string');
          expect(candidateAddress(received.candidate as string)).toBe('127.0.0.1');
        }
        expect(peer.sentCandidates.length).toBeGreaterThan(0);
        expect(peer.droppedCandidates).toEqual([]);
        expect(peer.errors).toEqual([]);
      }
      // each side received exactly the candidates the other sent, in order
      expect(bob.receivedCandidates.map((c) => c.candidate)).toEqual(alice.sentCandidates);
      expect(alice.receivedCandidates.map((c) => c.candidate)).toEqual(bob.sentCandidates);
      // the selected pair is loopback on both ends
      const pair = alice.pc.iceTransports[0].connection.nominated;
      expect(pair?.localCandidate.host).toBe('127.0.0.1');
      expect(pair?.remoteCandidate.host).toBe('127.0.0.1');
      expect(stun.requests).toBeGreaterThan(0);

      // bob leaves: alice receives stop, bob receives leaved
      bob.leave();
      await withTimeout(
        (async () => {
          while (!alice.stopped) await new Promise((resolve) => setTimeout(resolve, 10));
        })(),
        'stop',
      );
      expect(alice.ws.received.filter((f) => f.command === 'stop')).toEqual([{ command: 'stop', streamId }]);
      const bobLast = await withTimeout(
        (async () => {
          for (;;) {
            const frame = bob.ws.received.find((f) => f.command === 'notification' && f.definition === 'leaved');
            if (frame) return frame;
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        })(),
        'leaved',
      );
      expect(bobLast).toEqual({ command: 'notification', definition: 'leaved', streamId });
      // no error frame at any point
      expect([...alice.ws.received, ...bob.ws.received].filter((f) => f.command === 'error')).toEqual([]);

      await Promise.all([alice.close(), bob.close()]);
      expect(guard.violations).toEqual([]);
    },
    CALL_TIMEOUT_MS,
  );
});
