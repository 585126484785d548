/**
 * The Redis scale-out as a host application uses it from the package's entry points (root and `/redis`): RedisSignalingModule
 * next to SignalingModule with the Redis registry and relay, two nodes in this process. Also: each
 * lifecycle event is emitted once in the whole cluster, and a node's graceful shutdown ends its
 * sessions (the peers on other nodes receive `stop`) and gives up its lease at once; a node that
 * outlived its lease (cut off from Redis) closes the sockets whose memberships were ended meanwhile.
 */
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import type { AddressInfo } from 'node:net';
import { SignalingEventType, SignalingEvents, SignalingModule, createSignalingWsAdapter, type SignalingEvent } from '../../src';
import { RedisClusterNode, RedisRoomRegistry, RedisSignalingModule, RedisSignalingRelay } from '../../src/redis';
import { WsTestClient } from '../support/ws-test-client';
import { waitFor } from './support/cluster';

const PREFIX = `lib${Date.now().toString(36)}:`;

interface HostNode {
  nodeId: string;
  app: INestApplication;
  url: string;
  events: SignalingEvent[];
}

async function startHost(nodeId: string): Promise<HostNode> {
  @Module({
    imports: [
      RedisSignalingModule.forRootAsync({
        useFactory: () => ({ url: process.env.CLUSTER_REDIS_URL, nodeId, keyPrefix: PREFIX, leaseMs: 3000 }),
      }),
      SignalingModule.forRoot({ path: '/p2p', roomRegistry: RedisRoomRegistry, relay: RedisSignalingRelay }),
    ],
  })
  class HostModule {}
  const app = await NestFactory.create(HostModule, { logger: ['fatal', 'error'] });
  app.useWebSocketAdapter(createSignalingWsAdapter(app));
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const events: SignalingEvent[] = [];
  app.get(SignalingEvents).subscribe((event) => events.push(event));
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { nodeId, app, url: `ws://127.0.0.1:${port}/p2p`, events };
}

describe('RedisSignalingModule in a host app, two nodes in one process', () => {
  let one: HostNode;
  let two: HostNode;
  let redis: Redis;
  const clients: WsTestClient[] = [];

  beforeAll(async () => {
    redis = new Redis(process.env.CLUSTER_REDIS_URL as string);
    one = await startHost('lib-one');
    two = await startHost('lib-two');
  });

  afterAll(async () => {
    for (const client of clients) client.terminate();
    await Promise.allSettled([one?.app.close(), two?.app.close()]);
    redis?.disconnect();
  });

  async function connect(node: HostNode): Promise<WsTestClient> {
    const client = await WsTestClient.connect(node.url);
    clients.push(client);
    return client;
  }

  it('a call across the two nodes; each lifecycle event emitted once in the cluster', async () => {
    const streamId = 'lib-call';
    const alice = await connect(one);
    const bob = await connect(two);
    alice.send({ command: 'join', streamId });
    expect(await alice.next()).toMatchObject({ definition: 'joined' });
    bob.send({ command: 'join', streamId });
    expect(await bob.next()).toMatchObject({ definition: 'joined' });
    expect(await alice.next()).toEqual({ command: 'start', streamId });
    bob.send({ command: 'leave', streamId });
    expect(await alice.next()).toEqual({ command: 'stop', streamId });
    alice.send({ command: 'leave', streamId });
    expect(await alice.next()).toMatchObject({ definition: 'leaved' });

    const all = () => [...one.events, ...two.events].filter((e) => JSON.stringify(e).includes(streamId));
    await waitFor(() => all().some((e) => e.type === SignalingEventType.RoomClosed), 'room.closed');
    const types = (events: SignalingEvent[]) => events.filter((e) => JSON.stringify(e).includes(streamId)).map((e) => e.type);
    // node one: alice's join opened the room; her leave closed it. node two: bob joined (call started), left.
    expect(types(one.events)).toEqual([SignalingEventType.RoomOpened, SignalingEventType.PeerJoined, SignalingEventType.PeerLeft, SignalingEventType.RoomClosed]);
    expect(types(two.events)).toEqual([SignalingEventType.PeerJoined, SignalingEventType.CallStarted, SignalingEventType.PeerLeft]);
    const started = two.events.find((e) => e.type === SignalingEventType.CallStarted);
    expect(started).toMatchObject({ offerer: { nodeId: 'lib-one' }, answerer: { nodeId: 'lib-two' }, room: { nodeId: 'lib-one', peakPeers: 2 } });
  });

  it('graceful shutdown of a node: its peers leave with reason shutdown, the peer elsewhere gets stop, the lease is released', async () => {
    const streamId = 'lib-shutdown';
    const alice = await connect(one);
    const bob = await connect(two);
    alice.send({ command: 'join', streamId });
    await alice.next();
    bob.send({ command: 'join', streamId });
    await bob.next();
    expect(await alice.next()).toEqual({ command: 'start', streamId });
    expect(await redis.exists(`${PREFIX}lease:lib-two`)).toBe(1);

    const started = Date.now();
    await two.app.close();
    expect(await alice.next(1000)).toEqual({ command: 'stop', streamId });
    expect(Date.now() - started).toBeLessThan(1000); // no lease to wait for
    expect(await bob.closed()).toBe(1001);
    const left = two.events.find((e) => e.type === SignalingEventType.PeerLeft && e.member.streamId === streamId);
    expect(left).toMatchObject({ reason: 'shutdown', member: { nodeId: 'lib-two' } });
    expect(await redis.exists(`${PREFIX}lease:lib-two`)).toBe(0);
    expect(await redis.smembers(`${PREFIX}node:lib-two:sessions`)).toEqual([]);
    // the room lives on with alice only
    const carol = await connect(one);
    carol.send({ command: 'join', streamId });
    expect(await carol.next()).toMatchObject({ definition: 'joined' });
    expect(await alice.next()).toEqual({ command: 'start', streamId });
  });

  it.each([
    ['the sweeping node’s messages reach it', false],
    ['the messages meanwhile are lost (cut off from Redis)', true],
  ])('a node whose lease lapsed and whose memberships were swept closes the sockets concerned with 1012: %s', async (_case, lost) => {
    const three = await startHost(lost ? 'lib-four' : 'lib-three');
    const threeId = three.nodeId;
    try {
      const alice = await connect(one);
      const bob = await connect(three);
      const carol = await connect(three);
      const dan = await connect(three);
      const eve = await connect(three);
      const join = async (client: WsTestClient, streamId: string) => {
        client.send({ command: 'join', streamId });
        expect(await client.next()).toMatchObject({ definition: 'joined' });
      };
      await join(alice, `fence-split-${threeId}`);
      await join(bob, `fence-split-${threeId}`);
      expect(await alice.next()).toEqual({ command: 'start', streamId: `fence-split-${threeId}` });
      await join(carol, `fence-local-${threeId}`);
      await join(dan, `fence-local-${threeId}`);
      expect(await carol.next()).toEqual({ command: 'start', streamId: `fence-local-${threeId}` });

      // node three stalls: no renewal, its lease runs out; node one sweeps its memberships
      const node = three.app.get(RedisClusterNode);
      node.stopRenewing();
      if (lost) await node.subscriber.unsubscribe(node.channelOf(threeId));
      await redis.del(`${PREFIX}lease:${threeId}`);
      expect(await alice.next(3000)).toEqual({ command: 'stop', streamId: `fence-split-${threeId}` });
      await waitFor(async () => (await redis.scard(`${PREFIX}node:${threeId}:sessions`)) === 0, 'node three swept');
      if (lost) {
        await node.subscriber.subscribe(node.channelOf(threeId));
        expect(bob.closeCode).toBeUndefined(); // nothing told node three yet
      }
      // eve joins after the sweep: her membership is valid and her socket stays open
      await join(eve, `fence-late-${threeId}`);

      await node.renewLease();
      expect(await bob.closed()).toBe(1012);
      expect(await carol.closed()).toBe(1012);
      expect(await dan.closed()).toBe(1012);
      await eve.expectSilence(200);
      expect(eve.closeCode).toBeUndefined();
      eve.send({ command: 'leave', streamId: `fence-late-${threeId}` });
      expect(await eve.next()).toMatchObject({ definition: 'leaved' });
      const swept = one.events.filter((e) => e.type === SignalingEventType.PeerLeft && e.member.nodeId === threeId);
      expect(swept.map((e) => (e as { reason: string }).reason)).toEqual(['disconnect', 'disconnect', 'disconnect']);
    } finally {
      await three.app.close();
    }
  });
});
