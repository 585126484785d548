/**
 * Field clients across two nodes: a contested join probes the members' liveness (through the member's
 * node when it is elsewhere) and displaces only the silent ones; a re-join with a partner renegotiates;
 * a play-only waiting peer lets the joiner offer; a member on a node killed with SIGKILL is displaced
 * by a join before the sweep would have removed it.
 */
import type { Socket } from 'node:net';
import type { WsTestClient } from '../support/ws-test-client';
import { TestCluster, waitFor, type AppNode } from './support/cluster';

const LEASE_MS = 3000;
/** The server's default LIVENESS_PROBE_TIMEOUT_MS (the nodes run without it). */
const PROBE_MS = 1500;
/** A member that showed life this recently is not probed (LIVENESS_RECENT_MS): the tests wait past it. */
const RECENT_MS = 1000;

const joined = (streamId: string) => ({ command: 'notification', definition: 'joined', streamId });
const start = (streamId: string) => ({ command: 'start', streamId });
const stop = (streamId: string) => ({ command: 'stop', streamId });
const noSpace = (streamId: string) => ({ command: 'error', definition: 'NoSpaceForNewPeer', streamId });
const offer = (streamId: string, sdp: string) => ({ command: 'takeConfiguration', streamId, type: 'offer', sdp });
const relayed = (frame: Record<string, unknown>) => ({ ...frame, idMapping: {} });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The client stops reading its socket (so it answers no ping) and sends nothing: a half-open peer. */
function goSilent(client: WsTestClient): void {
  (client.socket as unknown as { _socket: Socket })._socket.pause();
}

describe('field clients with the room split across two nodes', () => {
  let cluster: TestCluster;
  let n1: AppNode;
  let n2: AppNode;

  beforeAll(async () => {
    cluster = await TestCluster.start(['field-1', 'field-2'], { leaseMs: LEASE_MS });
    n1 = cluster.node('field-1');
    n2 = cluster.node('field-2');
  });

  afterAll(async () => {
    await cluster?.close();
  });

  /** `first` waits (mode both), `second` joins: the waiting one gets `start`. Returns them and their session ids. */
  async function pair(streamId: string, first: AppNode, second: AppNode): Promise<[WsTestClient, WsTestClient, string, string]> {
    const alice = await first.connect();
    const bob = await second.connect();
    alice.send({ command: 'join', streamId, mode: 'both' });
    expect(await alice.next()).toEqual(joined(streamId));
    bob.send({ command: 'join', streamId, mode: 'both' });
    expect(await bob.next()).toEqual(joined(streamId));
    expect(await alice.next()).toEqual(start(streamId));
    const room = (await first.admin('GET', `/api/v1/rooms/${streamId}`)).body as { peers: Array<{ sessionId: string }> };
    expect(room.peers).toHaveLength(2);
    return [alice, bob, room.peers[0].sessionId, room.peers[1].sessionId];
  }

  /** A session as the admin API of `node` shows it once it has ended (history in the shared PostgreSQL). */
  async function endedSession(node: AppNode, sessionId: string): Promise<{ leaveReason: string; nodeId: string }> {
    return waitFor(async () => {
      const { status, body } = await node.admin('GET', `/api/v1/sessions/${sessionId}`);
      return status === 200 && body.active === false && (body as { leaveReason: string; nodeId: string });
    }, `session ${sessionId} ended in history`);
  }

  it.each([
    ['on the live member’s node', 'field-2'],
    ['on the silent member’s node', 'field-1'],
  ])('a half-open member is displaced by a join %s: the joiner gets joined, the live member stop then start', async (_where, joinerNode) => {
    const streamId = `half-open-${joinerNode}`;
    const [silent, live, silentSession] = await pair(streamId, n1, n2);
    goSilent(silent);
    await sleep(RECENT_MS + 200);

    const carol = await cluster.node(joinerNode).connect();
    const sentAt = Date.now();
    carol.send({ command: 'join', streamId, mode: 'both' });
    expect(await carol.next(5000)).toEqual(joined(streamId));
    const waited = Date.now() - sentAt;
    console.log(`half-open member displaced (joiner on ${joinerNode}): joined after ${waited} ms (probe timeout ${PROBE_MS} ms)`);
    expect(waited).toBeGreaterThanOrEqual(PROBE_MS - 100); // it was probed, not dropped on sight
    expect(waited).toBeLessThan(5000);
    expect(await live.take(2)).toEqual([stop(streamId), start(streamId)]);
    await Promise.all([live.expectSilence(200), carol.expectSilence(0)]);

    // the new pair relays across nodes (or on one)
    live.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: 'v=0 after-timeout' });
    expect(await carol.next()).toEqual(relayed(offer(streamId, 'v=0 after-timeout')));
    // the silent member is gone from the room and its session ended with `timeout`, seen from either node
    const room = (await n2.admin('GET', `/api/v1/rooms/${streamId}`)).body as { peers: Array<{ sessionId: string }> };
    expect(room.peers.map((p) => p.sessionId)).not.toContain(silentSession);
    expect(room.peers).toHaveLength(2);
    expect(await endedSession(n2, silentSession)).toMatchObject({ leaveReason: 'timeout', nodeId: 'field-1' });
    expect(await endedSession(n1, silentSession)).toMatchObject({ leaveReason: 'timeout' });
  });

  it.each([
    ['node 1', 'field-1'],
    ['node 2', 'field-2'],
  ])('two live members on different nodes: a third joiner on %s gets NoSpaceForNewPeer and the call is untouched', async (_where, joinerNode) => {
    const streamId = `live-full-${joinerNode}`;
    const [alice, bob, aliceSession, bobSession] = await pair(streamId, n1, n2);
    // idle past the "recently alive" window: both members are probed (one through its node), both answer
    await sleep(RECENT_MS + 200);
    const carol = await cluster.node(joinerNode).connect();
    const sentAt = Date.now();
    carol.send({ command: 'join', streamId, mode: 'both' });
    expect(await carol.next(5000)).toEqual(noSpace(streamId));
    console.log(`live members probed (joiner on ${joinerNode}): NoSpaceForNewPeer after ${Date.now() - sentAt} ms`);
    await Promise.all([alice.expectSilence(200), bob.expectSilence(0), carol.expectSilence(0)]);

    // the call goes on, both ways
    alice.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:a' });
    expect(await bob.next()).toEqual({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:a' });
    bob.send({ command: 'peerMessageCommand', streamId, definition: 'still', data: 'here' });
    expect(await alice.next()).toEqual({ command: 'peerMessageCommand', streamId, definition: 'still', data: 'here' });
    const room = (await n1.admin('GET', `/api/v1/rooms/${streamId}`)).body as { peers: Array<{ sessionId: string }> };
    expect(room.peers.map((p) => p.sessionId)).toEqual([aliceSession, bobSession]);
    await Promise.all([alice.expectSilence(100), bob.expectSilence(0)]);
  });

  it('a re-join on the same socket with the partner on the other node: stop then start to the partner, joined to the re-joiner, then an offer relays', async () => {
    const streamId = 'rejoin-split';
    const [alice, bob, aliceSession, bobSession] = await pair(streamId, n1, n2);
    bob.send({ command: 'join', streamId, mode: 'both' });
    expect(await bob.next()).toEqual(joined(streamId));
    expect(await alice.take(2)).toEqual([stop(streamId), start(streamId)]);
    await Promise.all([alice.expectSilence(150), bob.expectSilence(0)]);

    alice.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: 'v=0 renegotiated' });
    expect(await bob.next()).toEqual(relayed(offer(streamId, 'v=0 renegotiated')));
    bob.send({ command: 'takeConfiguration', streamId, type: 'answer', sdp: 'v=0 answer' });
    expect(await alice.next()).toEqual({ command: 'takeConfiguration', streamId, type: 'answer', sdp: 'v=0 answer', idMapping: {} });

    // history: bob's first session closed with `rejoin`, a new one open; alice's goes on
    expect(await endedSession(n1, bobSession)).toMatchObject({ leaveReason: 'rejoin', nodeId: 'field-2' });
    const room = (await n1.admin('GET', `/api/v1/rooms/${streamId}`)).body as { peers: Array<{ sessionId: string }> };
    expect(room.peers).toHaveLength(2);
    expect(room.peers[0].sessionId).toBe(aliceSession);
    const newSession = room.peers[1].sessionId;
    expect(newSession).not.toBe(bobSession);
    const opened = await waitFor(async () => {
      const { status, body } = await n2.admin('GET', `/api/v1/sessions/${newSession}`);
      return status === 200 && (body as { active: boolean; nodeId: string });
    }, 'bob’s new session in history');
    expect(opened).toMatchObject({ active: true, nodeId: 'field-2' });
    expect((await n2.admin('GET', `/api/v1/sessions/${aliceSession}`)).body).toMatchObject({ active: true, nodeId: 'field-1' });
  });

  it('a play-only waiting peer on node 1, a joiner with mode both on node 2: the joiner gets joined then start and offers', async () => {
    const streamId = 'play-waits';
    const viewer = await n1.connect();
    const caller = await n2.connect();
    viewer.send({ command: 'join', streamId, mode: 'play' });
    expect(await viewer.next()).toEqual(joined(streamId));
    caller.send({ command: 'join', streamId, mode: 'both' });
    expect(await caller.take(2)).toEqual([joined(streamId), start(streamId)]);
    await Promise.all([viewer.expectSilence(300), caller.expectSilence(0)]);

    caller.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: 'v=0 from-caller' });
    caller.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:c1' });
    expect(await viewer.take(2)).toEqual([
      relayed(offer(streamId, 'v=0 from-caller')),
      { command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:c1' },
    ]);
    viewer.send({ command: 'takeConfiguration', streamId, type: 'answer', sdp: 'v=0 from-viewer' });
    expect(await caller.next()).toEqual({ command: 'takeConfiguration', streamId, type: 'answer', sdp: 'v=0 from-viewer', idMapping: {} });
    await Promise.all([viewer.expectSilence(100), caller.expectSilence(0)]);
  });

  // last: node 1 stays dead
  it('a member’s node killed with SIGKILL: a join on the surviving node before the sweep displaces it', async () => {
    const streamId = 'dead-node-member';
    const [, survivor, deadSession] = await pair(streamId, n1, n2);
    // when each frame reaches the survivor, from the kill on
    const arrivals: string[] = [];
    let killedAt = 0;
    survivor.socket.on('message', (data) => arrivals.push(`${JSON.parse(data.toString()).command} at +${Date.now() - killedAt} ms`));
    await n1.kill9();
    killedAt = Date.now();

    const carol = await n2.connect();
    const sentAt = Date.now();
    carol.send({ command: 'join', streamId, mode: 'both' });
    const bound = LEASE_MS + PROBE_MS + 1000;
    const reply = await carol.next(bound + 5000);
    const waited = Date.now() - sentAt;
    expect(reply).toEqual(joined(streamId));
    expect(await survivor.take(2, 1000)).toEqual([stop(streamId), start(streamId)]);
    console.log(
      `join after kill -9 of the member’s node: joined after ${waited} ms (bound: lease ${LEASE_MS} + probe ${PROBE_MS} + 1000 = ${bound} ms); survivor got ${arrivals.join(', ')}`,
    );
    await Promise.all([survivor.expectSilence(200), carol.expectSilence(0)]);

    survivor.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: 'v=0 survivor' });
    expect(await carol.next()).toEqual(relayed(offer(streamId, 'v=0 survivor')));
    const row = await endedSession(n2, deadSession);
    console.log(`the dead node’s session ended with reason ${row.leaveReason}`);
    expect(row.nodeId).toBe('field-1');
    // in time: the probe of a member whose node's lease lapsed does not wait for an answer that cannot come
    expect(waited).toBeLessThanOrEqual(bound);
  });
});
