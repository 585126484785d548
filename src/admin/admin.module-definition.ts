import { ConfigurableModuleBuilder, type CanActivate, type Type } from '@nestjs/common';

export interface AdminModuleOptions {
  /** Key accepted as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
  apiKey?: string;
  /** A guard of the host app that replaces the API key check (resolved with the host's providers). */
  guard?: Type<CanActivate>;
}

export const {
  ConfigurableModuleClass: ConfigurableAdminModule,
  MODULE_OPTIONS_TOKEN: ADMIN_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<AdminModuleOptions>().setClassMethodName('forRoot').build();
