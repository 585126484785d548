import { DynamicModule, Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module';
import { AdminConsoleModule } from './admin/console/console.module';
import { AsyncApiController } from './asyncapi.controller';
import type { AppConfig } from './config/app-config';
import { DemoModule } from './demo/demo.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { PersistenceModule } from './persistence/persistence.module';
import { RedisRoomRegistry } from './redis/redis-room-registry';
import { RedisSignalingModule } from './redis/redis-signaling.module';
import { RedisSignalingRelay } from './redis/redis-signaling-relay';
import { SignalingModule } from './signaling/signaling.module';
import { SIGNALING_DEFAULTS } from './signaling/signaling-options';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * The standalone app, configured from AppConfig (which main.ts builds from @nestjs/config, see
 * config/load-app-env.ts): signaling (on one node in memory, or shared by several nodes through
 * Redis), its history, the admin API and the operator console at `/console`, the demo page at `/`, webhooks (when URLs are configured),
 * Prometheus metrics and health probes.
 */
@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    // With REDIS_URL, rooms and the relay are shared by every node on that Redis (docs/scale-out.md).
    const cluster = config.redis
      ? [RedisSignalingModule.forRoot({ ...config.redis, nodeId: config.nodeId })]
      : [];
    const shared = config.redis ? { roomRegistry: RedisRoomRegistry, relay: RedisSignalingRelay } : {};
    return {
      module: AppModule,
      imports: [
        // main.ts: the @nestjs/config module that loaded and validated the settings (ConfigService, global)
        ...(config.configModule ? [config.configModule] : []),
        ...cluster,
        SignalingModule.forRoot({ ...config.signaling, isGlobal: true, ...shared }),
        PersistenceModule.forRoot({ database: config.database, nodeId: config.nodeId, ...config.history }),
        AdminModule.forRoot({ apiKey: config.adminApiKey.key }),
        AdminConsoleModule,
        DemoModule.register({ signalingPath: config.signaling.path ?? SIGNALING_DEFAULTS.path }),
        ...(config.webhooks ? [WebhooksModule.forRoot(config.webhooks)] : []),
        MetricsModule.forRoot(config.metrics),
        HealthModule,
      ],
      controllers: [AsyncApiController],
    };
  }
}
