/** The Redis scale-out pieces that need no Redis: cluster messages, options, the app's configuration. */
import {
  connectionFrameMessage,
  controlMessage,
  memberFrameMessage,
  memberFromRecord,
  parseClusterMessage,
  parseCounters,
} from '../../src/redis/cluster-messages';
import { RedisClusterNode } from '../../src/redis/redis-cluster-node.service';
import { resolveRedisSignalingOptions } from '../../src/redis/redis-signaling-options';
import { loadAppConfig } from '../../src/config/app-config';
import type { RoomMember } from '../../src/signaling/rooms/room-member';

const member = memberFromRecord(
  { s: 'session-1', c: 'connection-1', n: 'node-b', a: '127.0.0.1', u: 'ua', m: 'both', j: 1_764_057_600_123 },
  'room.1_a-b',
  'room-id',
  { messagesRelayed: 2, bytesRelayed: 20 },
);

describe('cluster messages', () => {
  it('a member frame round-trips, the frame untouched (newlines and all)', () => {
    const frame = JSON.stringify({ command: 'takeConfiguration', sdp: 'v=0\r\nm=audio 9\r\n' });
    expect(parseClusterMessage(memberFrameMessage(member, frame))).toEqual({
      kind: 'member-frame',
      streamId: 'room.1_a-b',
      connectionId: 'connection-1',
      sessionId: 'session-1',
      frame,
    });
  });

  it('a connection frame and a control message round-trip', () => {
    expect(parseClusterMessage(connectionFrameMessage('c-9', '{"command":"stop"}\n'))).toEqual({
      kind: 'frame',
      connectionId: 'c-9',
      frame: '{"command":"stop"}\n',
    });
    const control = { t: 'kick', id: 'r1', from: 'node-a', sid: 's1', d: true } as const;
    expect(parseClusterMessage(controlMessage(control))).toEqual({ kind: 'control', control });
  });

  it('what it cannot read is undefined', () => {
    for (const raw of ['', 'X', 'Fno-newline', 'F1\n2\n3', 'Dx', 'C{not json', 'C"text"', 'C{}']) {
      expect(parseClusterMessage(raw)).toBeUndefined();
    }
  });

  it('members come back from their stored record with their node and counters', () => {
    expect(member).toEqual<RoomMember>({
      sessionId: 'session-1',
      connectionId: 'connection-1',
      nodeId: 'node-b',
      remoteAddress: '127.0.0.1',
      userAgent: 'ua',
      mode: 'both',
      joinedAt: new Date(1_764_057_600_123),
      streamId: 'room.1_a-b',
      roomId: 'room-id',
      peer: undefined,
      messagesRelayed: 2,
      bytesRelayed: 20,
    });
    expect(parseCounters('12 3400')).toEqual({ messagesRelayed: 12, bytesRelayed: 3400 });
    expect(parseCounters('')).toEqual({ messagesRelayed: 0, bytesRelayed: 0 });
    expect(parseCounters(null)).toEqual({ messagesRelayed: 0, bytesRelayed: 0 });
  });
});

describe('RedisSignalingModule options', () => {
  it('defaults: prefix sig:, lease 5 s renewed every third, kicks wait 5 s', () => {
    expect(resolveRedisSignalingOptions({ url: 'redis://127.0.0.1:6379', nodeId: 'a' })).toEqual({
      url: 'redis://127.0.0.1:6379',
      redis: {},
      nodeId: 'a',
      keyPrefix: 'sig:',
      leaseMs: 5000,
      renewIntervalMs: 1666,
      kickTimeoutMs: 5000,
    });
  });

  it.each([
    [{ nodeId: '' }, /nodeId/],
    [{ nodeId: 'has space' }, /nodeId/],
    [{ nodeId: 'x'.repeat(65) }, /nodeId/],
    [{ nodeId: 'a', leaseMs: 100 }, /leaseMs/],
    [{ nodeId: 'a', leaseMs: 1500.5 }, /leaseMs/],
    [{ nodeId: 'a', kickTimeoutMs: 0 }, /kickTimeoutMs/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveRedisSignalingOptions({ url: 'redis://127.0.0.1', ...options })).toThrow(message);
  });

  it('needs a url or redis options', () => {
    expect(() => resolveRedisSignalingOptions({ nodeId: 'a' })).toThrow(/url or redis/);
    expect(resolveRedisSignalingOptions({ nodeId: 'a', redis: { port: 7000 } }).redis).toEqual({ port: 7000 });
  });
});

describe('standalone app configuration', () => {
  const base = { ADMIN_API_KEY: 'k', DATABASE_PATH: ':memory:' };

  it('without REDIS_URL: one node, in memory', () => {
    expect(loadAppConfig(base).redis).toBeUndefined();
  });

  it('REDIS_URL, REDIS_KEY_PREFIX, REDIS_LEASE_MS, REDIS_KICK_TIMEOUT_MS', () => {
    const config = loadAppConfig({
      ...base,
      NODE_ID: 'node-7',
      REDIS_URL: 'redis://127.0.0.1:6380/2',
      REDIS_KEY_PREFIX: 'prod:',
      REDIS_LEASE_MS: '4000',
      REDIS_KICK_TIMEOUT_MS: '2500',
    });
    expect(config.nodeId).toBe('node-7');
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6380/2', keyPrefix: 'prod:', leaseMs: 4000, kickTimeoutMs: 2500 });
    expect(() => loadAppConfig({ ...base, REDIS_URL: 'redis://x', REDIS_LEASE_MS: 'soon' })).toThrow(/REDIS_LEASE_MS/);
  });
});

describe('the node’s Redis connections', () => {
  it('the publisher auto-pipelines (one write per turn of the event loop), the others do not; options.redis overrides', () => {
    const make = (redis: Record<string, unknown>) =>
      new RedisClusterNode(resolveRedisSignalingOptions({ url: 'redis://127.0.0.1:1', nodeId: 'unit', redis: { lazyConnect: true, ...redis } }));
    const node = make({});
    expect(node.publisher.options.enableAutoPipelining).toBe(true);
    expect(node.commands.options.enableAutoPipelining).toBe(false);
    expect(node.subscriber.options.enableAutoPipelining).toBe(false);
    expect(make({ enableAutoPipelining: false }).publisher.options.enableAutoPipelining).toBe(false);
  });
});
