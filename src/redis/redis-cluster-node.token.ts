/**
 * RedisClusterNode's token for the parts that look for it without loading ioredis (the readiness
 * probe of HealthModule injects it optionally): RedisSignalingModule provides it with the node.
 * This file imports nothing, so importing it costs nothing when Redis is not in the app.
 */
export const REDIS_CLUSTER_NODE = Symbol('REDIS_CLUSTER_NODE');
