import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { WebhookModuleOptions } from './webhook-options.interface';

export const {
  ConfigurableModuleClass: ConfigurableWebhooksModule,
  MODULE_OPTIONS_TOKEN: WEBHOOK_MODULE_OPTIONS,
  OPTIONS_TYPE: WEBHOOK_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: WEBHOOK_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<WebhookModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createWebhookOptions')
  .build();
