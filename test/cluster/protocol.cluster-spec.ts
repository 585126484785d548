/**
 * The wire protocol with the two peers of a room on different nodes: everything behaves as on one
 * node (docs/ams-p2p-protocol.md), the frames crossing nodes through Redis.
 */
import type { WsTestClient } from '../support/ws-test-client';
import { TestCluster, waitFor, type AppNode } from './support/cluster';

const joined = (streamId: string) => ({ command: 'notification', definition: 'joined', streamId });
const leaved = (streamId: string) => ({ command: 'notification', definition: 'leaved', streamId });
const start = (streamId: string) => ({ command: 'start', streamId });
const stop = (streamId: string) => ({ command: 'stop', streamId });

describe('the protocol with peers split across two nodes', () => {
  let cluster: TestCluster;
  let a: AppNode;
  let b: AppNode;

  beforeAll(async () => {
    cluster = await TestCluster.start(['proto-a', 'proto-b']);
    a = cluster.node('proto-a');
    b = cluster.node('proto-b');
  });

  afterAll(async () => {
    await cluster?.close();
  });

  /** alice on node A waits, bob on node B joins. */
  async function pair(streamId: string, first: AppNode = a, second: AppNode = b): Promise<[WsTestClient, WsTestClient]> {
    const alice = await first.connect('?target=origin');
    const bob = await second.connect('?target=origin');
    alice.send({ command: 'join', streamId, mode: 'both', multiPeer: false });
    expect(await alice.next()).toEqual(joined(streamId));
    bob.send({ command: 'join', streamId, mode: 'both', multiPeer: false });
    expect(await bob.next()).toEqual(joined(streamId));
    expect(await alice.next()).toEqual(start(streamId));
    return [alice, bob];
  }

  it('join/start/joined, then offer, answer and candidates both ways, in order', async () => {
    const streamId = 'split-call';
    const [alice, bob] = await pair(streamId);
    alice.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: 'v=0 offer' });
    alice.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:a1' });
    alice.send({ command: 'takeCandidate', streamId, label: 0, candidate: 'candidate:a2' });
    expect(await bob.take(3)).toEqual([
      { command: 'takeConfiguration', streamId, type: 'offer', sdp: 'v=0 offer', idMapping: {} },
      { command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:a1' },
      { command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:a2' },
    ]);
    bob.send({ command: 'takeConfiguration', streamId, type: 'answer', sdp: 'v=0 answer' });
    bob.send({ command: 'takeCandidate', streamId, label: 1, id: 'audio', candidate: '' });
    bob.send({ command: 'peerMessageCommand', streamId, definition: 'hello', data: { from: 'bob' } });
    expect(await alice.take(3)).toEqual([
      { command: 'takeConfiguration', streamId, type: 'answer', sdp: 'v=0 answer', idMapping: {} },
      { command: 'takeCandidate', streamId, label: 1, id: 'audio', candidate: '' },
      { command: 'peerMessageCommand', streamId, definition: 'hello', data: { from: 'bob' } },
    ]);
    await Promise.all([alice.expectSilence(100), bob.expectSilence(0)]);
  });

  it('200 back-to-back candidates each way arrive complete and in order across nodes', async () => {
    const streamId = 'split-burst';
    const [alice, bob] = await pair(streamId);
    const count = 200;
    for (let i = 0; i < count; i++) {
      alice.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: `candidate:alice-${i}` });
      bob.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: `candidate:bob-${i}` });
    }
    const atBob = await bob.take(count, 10_000);
    const atAlice = await alice.take(count, 10_000);
    expect(atBob.map((f) => f.candidate)).toEqual(Array.from({ length: count }, (_, i) => `candidate:alice-${i}`));
    expect(atAlice.map((f) => f.candidate)).toEqual(Array.from({ length: count }, (_, i) => `candidate:bob-${i}`));
    await alice.expectSilence(100);
    await bob.expectSilence(0);
  });

  it.each([
    ['on the first node', 0],
    ['on the second node', 1],
  ])('a third peer %s gets NoSpaceForNewPeer and nothing else changes', async (_where, index) => {
    const streamId = `split-full-${index}`;
    const [alice, bob] = await pair(streamId);
    const carol = await [a, b][index].connect();
    carol.send({ command: 'join', streamId });
    expect(await carol.next()).toEqual({ command: 'error', definition: 'NoSpaceForNewPeer', streamId });
    await Promise.all([alice.expectSilence(150), bob.expectSilence(0), carol.expectSilence(0)]);
    // the call goes on
    alice.send({ command: 'peerMessageCommand', streamId, definition: 'still', data: 1 });
    expect(await bob.next()).toEqual({ command: 'peerMessageCommand', streamId, definition: 'still', data: 1 });
  });

  it('leave → stop to the peer on the other node (once), leaved to the leaver; the peer is then alone', async () => {
    const streamId = 'split-leave';
    const [alice, bob] = await pair(streamId);
    bob.send({ command: 'leave', streamId });
    expect(await bob.next()).toEqual(leaved(streamId));
    expect(await alice.next()).toEqual(stop(streamId));
    await alice.expectSilence(200);
    // alone: nobody to relay to, on either node
    alice.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:x' });
    expect(await alice.next()).toEqual({ command: 'error', definition: 'no_peer_associated_before', streamId });
    bob.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:y' });
    expect(await bob.next()).toEqual({ command: 'error', definition: 'no_peer_associated_before', streamId });
    bob.send({ command: 'leave', streamId });
    expect(await bob.next()).toEqual({ command: 'error', definition: 'no_peer_associated_before', streamId });
    // a new peer on node B pairs with alice again: start to alice
    const dave = await b.connect();
    dave.send({ command: 'join', streamId });
    expect(await dave.next()).toEqual(joined(streamId));
    expect(await alice.next()).toEqual(start(streamId));
    dave.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: 'dave' });
    expect(await alice.next()).toEqual({ command: 'takeConfiguration', streamId, type: 'offer', sdp: 'dave', idMapping: {} });
  });

  it('the waiting peer leaving: stop to the joiner on the other node', async () => {
    const streamId = 'split-leave-waiting';
    const [alice, bob] = await pair(streamId, b, a);
    alice.send({ command: 'leave', streamId });
    expect(await alice.next()).toEqual(leaved(streamId));
    expect(await bob.next()).toEqual(stop(streamId));
    await bob.expectSilence(200);
  });

  it('an abrupt close (no leave) → stop to the peer on the other node; the room takes a new peer', async () => {
    const streamId = 'split-close';
    const [alice, bob] = await pair(streamId);
    alice.terminate();
    expect(await bob.next()).toEqual(stop(streamId));
    await bob.expectSilence(200);
    const carol = await a.connect();
    carol.send({ command: 'join', streamId });
    expect(await carol.next()).toEqual(joined(streamId));
    expect(await bob.next()).toEqual(start(streamId));
  });

  it('both peers on one node still work in cluster mode, and the room is visible from the other node', async () => {
    const streamId = 'same-node';
    const [alice, bob] = await pair(streamId, b, b);
    alice.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:local' });
    expect(await bob.next()).toEqual({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: 'candidate:local' });
    const room = await a.admin('GET', `/api/v1/rooms/${streamId}`);
    expect(room.status).toBe(200);
    expect(room.body.peers).toHaveLength(2);
    bob.close();
    expect(await alice.next()).toEqual(stop(streamId));
  });

  it('history: one row per session, every one closed, in the shared PostgreSQL', async () => {
    // every socket of this file closes: all sessions end
    a.closeClients();
    b.closeClients();
    await waitFor(async () => (await a.admin('GET', '/api/v1/rooms')).body.total === 0, 'no active room');
    // 7 pairs, dave, carol after the close, and the same-node pair: 18 sessions in 8 room occupancies
    const sessions = await waitFor(async () => {
      const rows = await cluster.query<{ nodeId: string; leftAt: Date | null }>(`SELECT "nodeId", "leftAt" FROM peer_sessions`);
      return rows.length === 18 && rows.every((row) => row.leftAt !== null) && rows;
    }, '18 closed session rows');
    const rooms = await waitFor(async () => {
      const rows = await cluster.query<{ closedAt: Date | null }>(`SELECT "closedAt" FROM room_records`);
      return rows.length === 8 && rows.every((row) => row.closedAt !== null) && rows;
    }, '8 closed room rows');
    expect(rooms).toHaveLength(8);
    expect(new Set(sessions.map((r) => r.nodeId))).toEqual(new Set(['proto-a', 'proto-b']));
    const calls = await cluster.query<{ peakPeers: number; callStartedAt: Date | null }>(
      `SELECT "peakPeers", "callStartedAt" FROM room_records WHERE "streamId" = 'split-call'`,
    );
    expect(calls).toEqual([{ peakPeers: 2, callStartedAt: expect.any(Date) }]);
  });
});
