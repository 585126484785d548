import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MetricsModuleOptions } from './metrics-options.interface';

export const {
  ConfigurableModuleClass: ConfigurableMetricsModule,
  MODULE_OPTIONS_TOKEN: METRICS_MODULE_OPTIONS,
  OPTIONS_TYPE: METRICS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: METRICS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<MetricsModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createMetricsOptions')
  .build();
