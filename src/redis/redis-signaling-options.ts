import type { RedisOptions } from 'ioredis';

/** Options of RedisSignalingModule: the Redis server the nodes share, and this node's identity. */
export interface RedisSignalingOptions {
  /** `redis://[[user]:password@]host[:port][/db]` (or `rediss://`). */
  url?: string;
  /** ioredis options (merged over those taken from `url`). */
  redis?: RedisOptions;
  /**
   * This node's id, unique in the cluster and stable across restarts (after a crash the node closes
   * what its previous run left open). Also the history's `nodeId`: at most 64 characters.
   */
  nodeId: string;
  /** Prefix of every key and channel. Default `sig:`. Several clusters may share one Redis with distinct prefixes. */
  keyPrefix?: string;
  /**
   * How long a node's lease lives without renewal, in ms; renewed every third of it. The other nodes
   * end the memberships of a node whose lease expired (its peers' partners receive `stop`). Default 5000.
   */
  leaseMs?: number;
  /** How long a kick forwarded to another node may take before it counts as failed, in ms. Default 5000. */
  kickTimeoutMs?: number;
}

export interface ResolvedRedisSignalingOptions {
  readonly url?: string;
  readonly redis: RedisOptions;
  readonly nodeId: string;
  readonly keyPrefix: string;
  readonly leaseMs: number;
  readonly renewIntervalMs: number;
  readonly kickTimeoutMs: number;
}

export const REDIS_SIGNALING_DEFAULTS = { keyPrefix: 'sig:', leaseMs: 5000, kickTimeoutMs: 5000 } as const;
/** Shortest lease: renewals every third of it must outrun garbage collection pauses and Redis latency. */
export const MIN_LEASE_MS = 600;

/** Applies defaults and rejects options that cannot work, with a message that names the option. */
export function resolveRedisSignalingOptions(options: RedisSignalingOptions): ResolvedRedisSignalingOptions {
  if (!options) throw new Error('RedisSignalingModule: options are required (url or redis, nodeId)');
  const nodeId = options.nodeId;
  if (typeof nodeId !== 'string' || !/^[^\s]{1,64}$/.test(nodeId)) {
    throw new Error(`RedisSignalingModule: nodeId must be 1 to 64 characters without spaces (got "${nodeId}")`);
  }
  const leaseMs = options.leaseMs ?? REDIS_SIGNALING_DEFAULTS.leaseMs;
  if (!Number.isInteger(leaseMs) || leaseMs < MIN_LEASE_MS) {
    throw new Error(`RedisSignalingModule: leaseMs must be an integer of at least ${MIN_LEASE_MS} (got ${leaseMs})`);
  }
  const kickTimeoutMs = options.kickTimeoutMs ?? REDIS_SIGNALING_DEFAULTS.kickTimeoutMs;
  if (!Number.isInteger(kickTimeoutMs) || kickTimeoutMs <= 0) {
    throw new Error(`RedisSignalingModule: kickTimeoutMs must be a positive integer (got ${kickTimeoutMs})`);
  }
  const { url, redis } = options;
  if (url === undefined && redis === undefined) throw new Error('RedisSignalingModule: url or redis options are required');
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\/\S*$/.test(url))) {
    // The URL itself is not repeated: it may hold a password.
    const got = url === '' ? 'an empty string' : typeof url === 'string' ? 'another scheme' : typeof url;
    throw new Error(`RedisSignalingModule: url must be a redis:// or rediss:// URL (got ${got})`);
  }
  if (redis !== undefined && (typeof redis !== 'object' || redis === null)) {
    throw new Error('RedisSignalingModule: redis must be an object of ioredis options');
  }
  const keyPrefix = options.keyPrefix ?? REDIS_SIGNALING_DEFAULTS.keyPrefix;
  if (typeof keyPrefix !== 'string' || /\s/.test(keyPrefix)) {
    throw new Error(`RedisSignalingModule: keyPrefix must be a string without spaces (got "${String(keyPrefix)}")`);
  }
  return {
    url,
    redis: redis ?? {},
    nodeId,
    keyPrefix,
    leaseMs,
    renewIntervalMs: Math.floor(leaseMs / 3),
    kickTimeoutMs,
  };
}
