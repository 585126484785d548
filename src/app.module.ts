import { DynamicModule, Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module';
import { DocsController } from './admin/docs.controller';
import type { AppConfig } from './config/app-config';
import { DemoModule } from './demo/demo.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { PersistenceModule } from './persistence/persistence.module';
import { SignalingModule } from './signaling/signaling.module';
import { SIGNALING_DEFAULTS } from './signaling/signaling-options';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * The standalone app, configured from AppConfig: signaling, its history, the admin API, the demo
 * page at `/`, webhooks (when URLs are configured), Prometheus metrics and health probes.
 */
@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SignalingModule.forRoot({ ...config.signaling, isGlobal: true }),
        PersistenceModule.forRoot({ database: config.database, nodeId: config.nodeId, ...config.history }),
        AdminModule.forRoot({ apiKey: config.adminApiKey.key }),
        DemoModule.register({ signalingPath: config.signaling.path ?? SIGNALING_DEFAULTS.path }),
        ...(config.webhooks ? [WebhooksModule.forRoot(config.webhooks)] : []),
        MetricsModule.forRoot(config.metrics),
        HealthModule,
      ],
      controllers: [DocsController],
    };
  }
}
