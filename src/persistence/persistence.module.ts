import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HistoryQueryService } from './history-query.service';
import { HistoryWriter } from './history-writer.service';
import { HISTORY_CONNECTION } from './persistence.constants';
import {
  PERSISTENCE_OPTIONS,
  type PersistenceModuleOptions,
  type ResolvedPersistenceOptions,
} from './persistence-options.interface';

/**
 * Room and session history with TypeORM: the writer behind the signaling events and the queries
 * of the admin API (global, for AdminModule). Needs SignalingModule's providers (import it with `isGlobal: true`).
 */
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceModuleOptions): DynamicModule {
    const resolved: ResolvedPersistenceOptions = {
      nodeId: options.nodeId,
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      counterFlushIntervalMs: options.counterFlushIntervalMs ?? 15_000,
      maxPendingRows: options.maxPendingRows ?? 50_000,
    };
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({
          ...options.database,
          name: HISTORY_CONNECTION,
          synchronize: false,
          // Run by HistoryWriter at init (runHistoryMigrations: one node at a time on PostgreSQL).
          migrationsRun: false,
          // Boot fails fast with the database's own error instead of retrying for half a minute.
          retryAttempts: 0,
        }),
      ],
      providers: [{ provide: PERSISTENCE_OPTIONS, useValue: resolved }, HistoryWriter, HistoryQueryService],
      exports: [HistoryWriter, HistoryQueryService],
    };
  }
}
