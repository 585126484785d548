import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from './config/app-config';
import { SignalingModule } from './signaling/signaling.module';

/** The standalone app: the signaling module configured from AppConfig. */
@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [SignalingModule.forRoot(config.signaling)],
    };
  }
}
