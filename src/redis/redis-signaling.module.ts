import { Module } from '@nestjs/common';
import { RedisClusterNode } from './redis-cluster-node.service';
import { REDIS_CLUSTER_NODE } from './redis-cluster-node.token';
import { resolveRedisSignalingOptions, type RedisSignalingOptions } from './redis-signaling-options';
import {
  ConfigurableRedisSignalingModule,
  REDIS_SIGNALING_MODULE_OPTIONS,
  REDIS_SIGNALING_OPTIONS,
} from './redis-signaling.module-definition';

/**
 * Scale-out across nodes on Redis (docs/scale-out.md). Import it next to SignalingModule, which then
 * uses the Redis registry and relay:
 *
 * ```ts
 * imports: [
 *   RedisSignalingModule.forRoot({ url: 'redis://127.0.0.1:6379', nodeId: 'node-a' }),
 *   SignalingModule.forRoot({ path: '/WebRTCAppEE/websocket', roomRegistry: RedisRoomRegistry, relay: RedisSignalingRelay }),
 * ]
 * ```
 * (or `forRootAsync({ useFactory, inject })`). Global: it provides RedisClusterNode to SignalingModule
 * (and, as REDIS_CLUSTER_NODE, to HealthModule's readiness probe).
 */
@Module({
  providers: [
    {
      provide: REDIS_SIGNALING_OPTIONS,
      useFactory: (options: RedisSignalingOptions) => resolveRedisSignalingOptions(options),
      inject: [REDIS_SIGNALING_MODULE_OPTIONS],
    },
    RedisClusterNode,
    { provide: REDIS_CLUSTER_NODE, useExisting: RedisClusterNode },
  ],
  exports: [REDIS_SIGNALING_OPTIONS, RedisClusterNode, REDIS_CLUSTER_NODE],
})
export class RedisSignalingModule extends ConfigurableRedisSignalingModule {}
