/**
 * The admin API of any node sees and acts on the whole cluster: rooms listed from Redis, forced
 * leaves carried out by the node that holds the socket, history in the shared PostgreSQL.
 */
import type { WsTestClient } from '../support/ws-test-client';
import { TestCluster, waitFor, type AppNode } from './support/cluster';

describe('admin API across nodes', () => {
  let cluster: TestCluster;
  let a: AppNode;
  let b: AppNode;

  beforeAll(async () => {
    cluster = await TestCluster.start(['admin-a', 'admin-b']);
    a = cluster.node('admin-a');
    b = cluster.node('admin-b');
  });

  afterAll(async () => {
    await cluster?.close();
  });

  async function pair(streamId: string, first: AppNode, second: AppNode): Promise<[WsTestClient, WsTestClient]> {
    const alice = await first.connect();
    const bob = await second.connect();
    alice.send({ command: 'join', streamId });
    expect(await alice.next()).toMatchObject({ definition: 'joined' });
    bob.send({ command: 'join', streamId });
    expect(await bob.next()).toMatchObject({ definition: 'joined' });
    expect(await alice.next()).toEqual({ command: 'start', streamId });
    return [alice, bob];
  }

  it('node A lists a room whose two peers are on node B, with their relay counters', async () => {
    const streamId = 'room-on-b';
    const [alice, bob] = await pair(streamId, b, b);
    for (let i = 0; i < 3; i++) alice.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: `c${i}` });
    await bob.take(3);
    const list = await a.admin('GET', '/api/v1/rooms');
    expect(list.status).toBe(200);
    const room = list.body.items.find((r: { streamId: string }) => r.streamId === streamId);
    expect(room).toMatchObject({ streamId, peakPeers: 2, callStartedAt: expect.any(String) });
    expect(room.peers).toHaveLength(2);
    const one = await a.admin('GET', `/api/v1/rooms/${streamId}`);
    expect(one.body.roomId).toBe(room.roomId);
    // counters of node B's peers reach node A through Redis within a lease renewal
    const counted = await waitFor(async () => {
      const peers = (await a.admin('GET', `/api/v1/rooms/${streamId}`)).body.peers as Array<{ messagesRelayed: number }>;
      return peers[0].messagesRelayed === 3 && peers;
    }, 'alice’s relay counter on node A', cluster.leaseMs * 2);
    expect(counted[1].messagesRelayed).toBe(0);
    const stats = await a.admin('GET', '/api/v1/stats');
    expect(stats.body.activeRooms).toBeGreaterThanOrEqual(1);
    expect(stats.body.connectedPeers).toBe(0); // node A's own sockets
  });

  it('a forced leave from node A of a peer on node B: stop + leaved(kicked) there, socket closed, history kicked', async () => {
    const streamId = 'kick-across';
    const [alice, bob] = await pair(streamId, a, b);
    const room = (await a.admin('GET', `/api/v1/rooms/${streamId}`)).body;
    const bobSession = room.peers[1].sessionId as string;
    const kicked = await a.admin('DELETE', `/api/v1/sessions/${bobSession}?disconnect=true`);
    expect(kicked).toEqual({ status: 200, body: { sessionId: bobSession, streamId, disconnected: true } });
    expect(await bob.take(2)).toEqual([
      { command: 'stop', streamId },
      { command: 'notification', definition: 'leaved', streamId, reason: 'kicked' },
    ]);
    expect(await bob.closed()).toBe(4001);
    expect(await alice.next()).toEqual({ command: 'stop', streamId });
    await alice.expectSilence(200);
    // node B cleaned its state: the room holds alice only, everywhere
    const after = (await b.admin('GET', `/api/v1/rooms/${streamId}`)).body;
    expect(after.peers.map((p: { sessionId: string }) => p.sessionId)).toEqual([room.peers[0].sessionId]);
    const row = await waitFor(async () => {
      const rows = await cluster.query<{ leaveReason: string; nodeId: string }>(
        `SELECT "leaveReason", "nodeId" FROM peer_sessions WHERE id = $1 AND "leftAt" IS NOT NULL`,
        [bobSession],
      );
      return rows[0];
    }, 'the kicked session row');
    expect(row).toEqual({ leaveReason: 'kicked', nodeId: 'admin-b' });
    // the same kick again: the session is over
    expect((await a.admin('DELETE', `/api/v1/sessions/${bobSession}`)).status).toBe(404);
  });

  it('a forced leave of a whole room from node A, its peers on node B and node A', async () => {
    const streamId = 'kick-room';
    const [alice, bob] = await pair(streamId, b, a);
    const result = await a.admin('DELETE', `/api/v1/rooms/${streamId}`);
    expect(result).toEqual({ status: 200, body: { streamId, removed: 2 } });
    // alice (node B) is removed first: stop, leaved; bob gets stop as her peer, then his own stop, leaved
    expect(await alice.take(2)).toEqual([
      { command: 'stop', streamId },
      { command: 'notification', definition: 'leaved', streamId, reason: 'kicked' },
    ]);
    expect(await bob.take(3)).toEqual([
      { command: 'stop', streamId },
      { command: 'stop', streamId },
      { command: 'notification', definition: 'leaved', streamId, reason: 'kicked' },
    ]);
    expect((await b.admin('GET', `/api/v1/rooms/${streamId}`)).status).toBe(404);
    const rows = await waitFor(async () => {
      const r = await cluster.query<{ leaveReason: string }>(
        `SELECT "leaveReason" FROM peer_sessions WHERE "streamId" = $1 AND "leftAt" IS NOT NULL`,
        [streamId],
      );
      return r.length === 2 && r;
    }, 'both kicked rows');
    expect(rows.map((r) => r.leaveReason)).toEqual(['kicked', 'kicked']);
    // the sockets stay open (no disconnect): alice may join again
    alice.send({ command: 'join', streamId });
    expect(await alice.next()).toMatchObject({ definition: 'joined' });
  });

  it('session history read on node A shows rows written by node B', async () => {
    const list = await waitFor(async () => {
      const page = await a.admin('GET', '/api/v1/sessions?streamId=kick-across');
      return page.body.total === 2 && page.body;
    }, 'two kick-across sessions');
    expect(list.items.map((s: { leaveReason: string | null }) => String(s.leaveReason)).sort()).toEqual(['kicked', 'null']);
  });
});
