import { DynamicModule, Module } from '@nestjs/common';
import { DemoAssets } from './demo-assets.service';
import { DemoController } from './demo.controller';
import { DEMO_OPTIONS } from './demo-options';
import type { DemoModuleOptions } from './demo-options';

/**
 * The browser demo page at `/` and the SDK bundle it loads. Part of the standalone app only:
 * the signaling library never imports it.
 */
@Module({})
export class DemoModule {
  static register(options: DemoModuleOptions): DynamicModule {
    return {
      module: DemoModule,
      controllers: [DemoController],
      providers: [{ provide: DEMO_OPTIONS, useValue: options }, DemoAssets],
    };
  }
}
