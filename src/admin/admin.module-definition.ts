import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AdminModuleOptions } from './admin-options.interface';

export const {
  ConfigurableModuleClass: ConfigurableAdminModule,
  MODULE_OPTIONS_TOKEN: ADMIN_MODULE_OPTIONS,
  OPTIONS_TYPE: ADMIN_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: ADMIN_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AdminModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createAdminOptions')
  .build();
