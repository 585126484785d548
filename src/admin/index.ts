/**
 * `nest-ams-p2p-signaling/admin`: the REST admin API (active rooms and sessions, history, forced leave)
 * and its Swagger document. Needs the history part (`PersistenceModule`), `@nestjs/swagger`,
 * `class-validator` and `class-transformer`.
 */
export { AdminModule } from './admin.module';
export type { AdminModuleOptions } from './admin.module-definition';
export { buildAdminOpenApi, setupAdminSwagger, SWAGGER_PATH } from './admin-swagger';
export type { AdminSwaggerOptions } from './admin-swagger';
