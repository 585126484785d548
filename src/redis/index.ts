/**
 * `nest-ams-p2p-signaling/redis`: several nodes sharing rooms through Redis (docs/scale-out.md).
 * Needs `ioredis`.
 */
export { RedisSignalingModule } from './redis-signaling.module';
export {
  REDIS_SIGNALING_OPTIONS,
  REDIS_SIGNALING_MODULE_OPTIONS,
  REDIS_SIGNALING_OPTIONS_TYPE,
  REDIS_SIGNALING_ASYNC_OPTIONS_TYPE,
} from './redis-signaling.module-definition';
export type { RedisSignalingOptions, ResolvedRedisSignalingOptions } from './redis-signaling-options';
export { REDIS_SIGNALING_DEFAULTS, resolveRedisSignalingOptions } from './redis-signaling-options';
export { RedisClusterNode } from './redis-cluster-node.service';
export { REDIS_CLUSTER_NODE } from './redis-cluster-node.token';
export { RedisKeys } from './redis-keys';
export { RedisRoomRegistry } from './redis-room-registry';
export { NODE_LOST_REASON } from './lapsed-node-sweeper';
export { RedisSignalingRelay } from './redis-signaling-relay';
