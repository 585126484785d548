import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RedisSignalingOptions } from './redis-signaling-options';

export const {
  ConfigurableModuleClass: ConfigurableRedisSignalingModule,
  MODULE_OPTIONS_TOKEN: REDIS_SIGNALING_MODULE_OPTIONS,
  OPTIONS_TYPE: REDIS_SIGNALING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: REDIS_SIGNALING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RedisSignalingOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createRedisSignalingOptions')
  // Global: SignalingModule's providers (RedisRoomRegistry, RedisSignalingRelay) inject RedisClusterNode.
  .setExtras({}, (definition) => ({ ...definition, global: true }))
  .build();

/** Injection token of the resolved options. */
export const REDIS_SIGNALING_OPTIONS = Symbol('REDIS_SIGNALING_OPTIONS');
