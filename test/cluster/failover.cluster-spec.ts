/**
 * A node that dies without any clean-up (kill -9): its memberships end when its lease expires, swept
 * by the surviving node (the peers there receive `stop`, history closes); a restart of the node with
 * the same NODE_ID ends what its previous run left, at once, even before the lease expired.
 */
import type { WsTestClient } from '../support/ws-test-client';
import { TestCluster, waitFor, type AppNode } from './support/cluster';

const LEASE_MS = 3000;
const RENEW_MS = Math.floor(LEASE_MS / 3);

describe('a node killed with SIGKILL', () => {
  let cluster: TestCluster;
  let a: AppNode;
  let b: AppNode;

  beforeAll(async () => {
    cluster = await TestCluster.start(['fail-a', 'fail-b'], { leaseMs: LEASE_MS });
    a = cluster.node('fail-a');
    b = cluster.node('fail-b');
  });

  afterAll(async () => {
    await cluster?.close();
  });

  async function pair(streamId: string, first: AppNode, second: AppNode): Promise<[WsTestClient, WsTestClient, string]> {
    const alice = await first.connect();
    const bob = await second.connect();
    alice.send({ command: 'join', streamId });
    expect(await alice.next()).toMatchObject({ definition: 'joined' });
    bob.send({ command: 'join', streamId });
    expect(await bob.next()).toMatchObject({ definition: 'joined' });
    expect(await alice.next()).toEqual({ command: 'start', streamId });
    const room = (await first.admin('GET', `/api/v1/rooms/${streamId}`)).body;
    return [alice, bob, room.peers[1].sessionId as string];
  }

  async function stopWithin(client: WsTestClient, streamId: string, ms: number): Promise<number> {
    const started = Date.now();
    expect(await client.next(ms)).toEqual({ command: 'stop', streamId });
    return Date.now() - started;
  }

  it('the peer on the surviving node gets stop within the lease, the room is free again, history closes', async () => {
    const streamId = 'killed-peer';
    const [alice, , bobSession] = await pair(streamId, a, b);
    // the bob session row exists before the crash
    await waitFor(async () => (await cluster.query(`SELECT id FROM peer_sessions WHERE id = $1`, [bobSession])).length === 1, 'bob’s row');

    await b.kill9();
    const bound = LEASE_MS + RENEW_MS + 1000;
    const latency = await stopWithin(alice, streamId, bound);
    console.log(`stop after kill -9: ${latency} ms (lease ${LEASE_MS} ms, renewal every ${RENEW_MS} ms, bound ${bound} ms)`);
    expect(latency).toBeLessThanOrEqual(bound);
    // not before the lease could have expired: the survivor does not sweep a node that may be alive
    expect(latency).toBeGreaterThanOrEqual(LEASE_MS - RENEW_MS - 250);
    await alice.expectSilence(200);

    // the room holds alice only, and takes a new peer
    const room = (await a.admin('GET', `/api/v1/rooms/${streamId}`)).body;
    expect(room.peers).toHaveLength(1);
    const carol = await a.connect();
    carol.send({ command: 'join', streamId });
    expect(await carol.next()).toMatchObject({ definition: 'joined' });
    expect(await alice.next()).toEqual({ command: 'start', streamId });

    const row = await waitFor(async () => {
      const rows = await cluster.query<{ leaveReason: string; nodeId: string }>(
        `SELECT "leaveReason", "nodeId" FROM peer_sessions WHERE id = $1 AND "leftAt" IS NOT NULL`,
        [bobSession],
      );
      return rows[0];
    }, 'bob’s session closed by the sweep');
    expect(row).toEqual({ leaveReason: 'disconnect', nodeId: 'fail-b' });
  });

  it('a room whose peers were all on the dead node is closed and free', async () => {
    // node B is dead since the previous test; start it again to build a room there, kill it again
    b = await cluster.startNode('fail-b');
    const streamId = 'all-on-b';
    await pair(streamId, b, b);
    await b.kill9();
    await waitFor(async () => (await a.admin('GET', `/api/v1/rooms/${streamId}`)).status === 404, 'the room gone', LEASE_MS + RENEW_MS + 1000);
    const rows = await waitFor(async () => {
      const r = await cluster.query(`SELECT id FROM room_records WHERE "streamId" = $1 AND "closedAt" IS NOT NULL`, [streamId]);
      return r.length === 1 && r;
    }, 'its room row closed');
    expect(rows).toHaveLength(1);
    const dave = await a.connect();
    dave.send({ command: 'join', streamId });
    expect(await dave.next()).toMatchObject({ definition: 'joined' });
  });

  it('restarted at once with the same NODE_ID, the node ends what its previous run left before its lease expired', async () => {
    // a long lease for this node: only its restart can end the membership in time
    const longLeaseMs = 20_000;
    b = await cluster.startNode('fail-b', { leaseMs: longLeaseMs });
    const streamId = 'quick-restart';
    const [erin, , frankSession] = await pair(streamId, a, b);
    await b.kill9();
    const killedAt = Date.now();
    b = await cluster.startNode('fail-b', { leaseMs: longLeaseMs });
    expect(await erin.next(longLeaseMs / 2)).toEqual({ command: 'stop', streamId });
    console.log(`restart within the lease: stop ${Date.now() - killedAt} ms after kill -9 (node boot included; lease ${longLeaseMs} ms)`);
    // the restarted node ended it itself, long before the lease of its previous run expired
    expect(b.logs.some((line) => line.includes('ended 1 membership(s) of the previous run of this node (fail-b)'))).toBe(true);
    expect(Date.now() - killedAt).toBeLessThan(longLeaseMs / 2);
    // the node works again: a new peer on it pairs with erin
    const gina = await b.connect();
    gina.send({ command: 'join', streamId });
    expect(await gina.next()).toMatchObject({ definition: 'joined' });
    expect(await erin.next()).toEqual({ command: 'start', streamId });
    const row = await waitFor(async () => {
      const rows = await cluster.query<{ leaveReason: string }>(
        `SELECT "leaveReason" FROM peer_sessions WHERE id = $1 AND "leftAt" IS NOT NULL`,
        [frankSession],
      );
      return rows[0];
    }, 'frank’s row closed');
    expect(row.leaveReason).toBe('disconnect');
  });

  it('after all that, no history row of node fail-b is left open but those of live sessions', async () => {
    const live = new Set<string>();
    for (const room of (await a.admin('GET', '/api/v1/rooms')).body.items as Array<{ peers: Array<{ sessionId: string }> }>) {
      for (const peer of room.peers) live.add(peer.sessionId);
    }
    const open = await waitFor(async () => {
      const rows = await cluster.query<{ id: string }>(`SELECT id FROM peer_sessions WHERE "nodeId" = 'fail-b' AND "leftAt" IS NULL`);
      return rows.every((r) => live.has(r.id)) && rows;
    }, 'only live sessions of fail-b open');
    expect(open.length).toBe(1); // gina
  });

  it('a second process with a NODE_ID in use refuses to start', async () => {
    await expect(cluster.startNode('fail-a')).rejects.toThrow(/in use by another running node/);
    // the running fail-a is unaffected
    expect(a.alive).toBe(true);
    expect((await a.admin('GET', '/api/v1/rooms')).status).toBe(200);
  });
});
