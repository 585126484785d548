/**
 * A real WebRTC call between two werift peers whose signaling sockets are on different nodes: the
 * offer, the answer and the candidates cross nodes through Redis, and a data channel opens.
 *
 * Network rule, as in test/e2e/werift-call.e2e-spec.ts: no packet may leave loopback. The suite runs
 * in a loopback-only network namespace (npm run test:cluster), the peers gather and pair on 127.0.0.1
 * only, use a STUN responder on 127.0.0.1, and the LoopbackNetworkGuard records any UDP send, UDP
 * bind or DNS lookup that is not loopback; the test asserts there was none.
 */
import { AmsWeriftPeer, candidateAddress, loopbackPeerConfig } from '../support/ams-werift-peer';
import { LoopbackNetworkGuard } from '../support/loopback-network-guard';
import { LoopbackStunServer } from '../support/loopback-stun-server';
import { nextMessage, opened, withTimeout } from '../support/werift-channel';
import { TestCluster, waitFor } from './support/cluster';

describe('a real WebRTC call (werift peers) with the peers on different nodes', () => {
  let guard: LoopbackNetworkGuard;
  let stun: LoopbackStunServer;
  let cluster: TestCluster;
  const peers: AmsWeriftPeer[] = [];

  beforeAll(async () => {
    guard = LoopbackNetworkGuard.install();
    stun = await LoopbackStunServer.start();
    cluster = await TestCluster.start(['call-a', 'call-b']);
  });

  afterAll(async () => {
    await Promise.allSettled(peers.map((peer) => peer.close()));
    await cluster?.close();
    await stun?.close();
    guard?.uninstall();
  });

  it('offer/answer/candidates cross nodes; the data channel carries a message both ways; leave → stop', async () => {
    const streamId = 'werift-cluster-call';
    const config = loopbackPeerConfig(stun.url);
    const alice = new AmsWeriftPeer('alice', await cluster.node('call-a').connect('?target=origin'), config);
    const bob = new AmsWeriftPeer('bob', await cluster.node('call-b').connect('?target=origin'), config);
    peers.push(alice, bob);

    alice.join(streamId);
    expect(await alice.ws.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
    bob.join(streamId);
    expect(await bob.ws.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
    expect(await alice.ws.next()).toEqual({ command: 'start', streamId });

    const [aliceChannel, bobChannel] = await withTimeout(Promise.all([alice.channel, bob.channel]), 'the data channels');
    await withTimeout(Promise.all([opened(aliceChannel), opened(bobChannel)]), 'the data channels to open');
    expect(aliceChannel.label).toBe(streamId);

    const toBob = nextMessage(bobChannel);
    aliceChannel.send('hello bob on node B, from alice on node A');
    expect(await withTimeout(toBob, 'alice → bob')).toBe('hello bob on node B, from alice on node A');
    const toAlice = nextMessage(aliceChannel);
    bobChannel.send('hello alice, from bob ✓');
    expect(await withTimeout(toAlice, 'bob → alice')).toBe('hello alice, from bob ✓');
    expect(alice.pc.connectionState).toBe('connected');
    expect(bob.pc.connectionState).toBe('connected');

    // the SDPs and candidates crossed nodes unchanged, in order
    expect(bob.ws.received.filter((f) => f.command === 'takeConfiguration')).toEqual([
      { command: 'takeConfiguration', streamId, type: 'offer', sdp: alice.pc.localDescription?.sdp, idMapping: {} },
    ]);
    expect(alice.ws.received.filter((f) => f.command === 'takeConfiguration')).toEqual([
      { command: 'takeConfiguration', streamId, type: 'answer', sdp: bob.pc.localDescription?.sdp, idMapping: {} },
    ]);
    expect(bob.receivedCandidates.map((c) => c.candidate)).toEqual(alice.sentCandidates);
    expect(alice.receivedCandidates.map((c) => c.candidate)).toEqual(bob.sentCandidates);
    for (const peer of [alice, bob]) {
      expect(peer.sentCandidates.length).toBeGreaterThan(0);
      for (const received of peer.receivedCandidates) expect(candidateAddress(received.candidate as string)).toBe('127.0.0.1');
      expect(peer.droppedCandidates).toEqual([]);
      expect(peer.errors).toEqual([]);
    }
    const pair = alice.pc.iceTransports[0].connection.nominated;
    expect(pair?.localCandidate.host).toBe('127.0.0.1');
    expect(pair?.remoteCandidate.host).toBe('127.0.0.1');

    bob.leave();
    await waitFor(() => alice.stopped, 'stop at alice');
    expect(alice.ws.received.filter((f) => f.command === 'stop')).toEqual([{ command: 'stop', streamId }]);
    await waitFor(() => bob.ws.received.some((f) => f.definition === 'leaved'), 'leaved at bob');
    expect([...alice.ws.received, ...bob.ws.received].filter((f) => f.command === 'error')).toEqual([]);

    await Promise.all([alice.close(), bob.close()]);
    expect(guard.violations).toEqual([]);
  });
});
