/**
 * `nest-ams-p2p-signaling/history`: room and session history with TypeORM (SQLite or PostgreSQL),
 * written behind signaling in batches. Needs `@nestjs/typeorm`, `typeorm` and a driver (`sqlite3` or `pg`).
 */
export { PersistenceModule } from './persistence.module';
export type { PersistenceModuleOptions } from './persistence-options.interface';
export { databaseOptionsFromEnv, sqliteOptions, HISTORY_ENTITIES } from './database-options';
export { MIGRATIONS } from './migrations';
export { HistoryWriter } from './history-writer.service';
export { HistoryQueryService } from './history-query.service';
export { RoomRecord } from './entities/room-record.entity';
export { PeerSession } from './entities/peer-session.entity';
export { SESSION_END_REASONS, SERVER_RESTART } from './entities/session-end-reason';
export type { SessionEndReason } from './entities/session-end-reason';
