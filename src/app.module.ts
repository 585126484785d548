import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from './config/app-config';
import { DemoModule } from './demo/demo.module';
import { SignalingModule } from './signaling/signaling.module';
import { SIGNALING_DEFAULTS } from './signaling/signaling-options';

/** The standalone app: the signaling module configured from AppConfig, and the demo page at `/`. */
@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SignalingModule.forRoot(config.signaling),
        DemoModule.register({ signalingPath: config.signaling.path ?? SIGNALING_DEFAULTS.path }),
      ],
    };
  }
}
