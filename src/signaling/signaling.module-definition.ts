import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SignalingModuleOptions } from './signaling-options.interface';

export interface SignalingModuleExtras {
  /** Register the module globally. Default false. */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: ConfigurableSignalingModule,
  MODULE_OPTIONS_TOKEN: SIGNALING_MODULE_OPTIONS,
  OPTIONS_TYPE: SIGNALING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: SIGNALING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SignalingModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createSignalingOptions')
  .setExtras<SignalingModuleExtras>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** Injection token of the resolved options (defaults applied, validated). */
export const SIGNALING_OPTIONS = Symbol('SIGNALING_OPTIONS');
