/**
 * `nest-ams-p2p-signaling/admin`: the REST admin API (active rooms and sessions, history, forced leave),
 * its Swagger document, and the operator console (`AdminConsoleModule`, a page at /console). Needs the
 * history part (`PersistenceModule`), `@nestjs/swagger`, `class-validator` and `class-transformer`.
 */
export { AdminModule } from './admin.module';
export { AdminConsoleModule } from './console/console.module';
export { ADMIN_MODULE_OPTIONS, ADMIN_OPTIONS_TYPE, ADMIN_ASYNC_OPTIONS_TYPE } from './admin.module-definition';
export type { AdminModuleOptions, ResolvedAdminOptions } from './admin-options.interface';
export { resolveAdminOptions } from './admin-options';
export { HistoryUnavailableFilter } from './history-unavailable.filter';
export { buildAdminOpenApi, setupAdminSwagger, SWAGGER_PATH } from './admin-swagger';
export type { AdminSwaggerOptions } from './admin-swagger';
