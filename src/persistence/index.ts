/**
 * `nest-ams-p2p-signaling/history`: room and session history with TypeORM (SQLite or PostgreSQL),
 * written behind signaling in batches. Needs `@nestjs/typeorm`, `typeorm` and a driver (`sqlite3` or `pg`).
 */
export { PersistenceModule } from './persistence.module';
export {
  PERSISTENCE_MODULE_OPTIONS,
  PERSISTENCE_OPTIONS_TYPE,
  PERSISTENCE_ASYNC_OPTIONS_TYPE,
} from './persistence.module-definition';
export { PERSISTENCE_OPTIONS } from './persistence-options.interface';
export type { PersistenceModuleOptions, ResolvedPersistenceOptions } from './persistence-options.interface';
export { PERSISTENCE_DEFAULTS, resolvePersistenceOptions } from './persistence-options';
export { HISTORY_CONNECTION } from './persistence.constants';
export { databaseOptionsFromEnv, sqliteOptions, HISTORY_ENTITIES } from './database-options';
export { MIGRATIONS } from './migrations';
export { HistoryWriter } from './history-writer.service';
export { HistoryQueryService } from './history-query.service';
export { HistoryUnavailableError } from './history-unavailable.error';
export { HistoryQueryError } from './history-failure';
export { RoomRecord } from './entities/room-record.entity';
export { PeerSession } from './entities/peer-session.entity';
export { SESSION_END_REASONS, SERVER_RESTART } from './entities/session-end-reason';
export type { SessionEndReason } from './entities/session-end-reason';
