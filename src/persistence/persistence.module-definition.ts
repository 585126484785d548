import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PersistenceModuleOptions } from './persistence-options.interface';

export const {
  ConfigurableModuleClass: ConfigurablePersistenceModule,
  MODULE_OPTIONS_TOKEN: PERSISTENCE_MODULE_OPTIONS,
  OPTIONS_TYPE: PERSISTENCE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: PERSISTENCE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PersistenceModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createPersistenceOptions')
  // Global: AdminModule and MetricsModule use the history's services, and TypeORM's DataSource
  // factory (in TypeOrmModule's own global module) reads the resolved options from here.
  .setExtras({}, (definition) => ({ ...definition, global: true }))
  .build();
