import { Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { HistoryQueryService } from './history-query.service';
import { HISTORY_DATA_SOURCE, HISTORY_STATS } from './history-tokens';
import { HistoryWriter } from './history-writer.service';
import { HISTORY_CONNECTION } from './persistence.constants';
import {
  PERSISTENCE_OPTIONS,
  type PersistenceModuleOptions,
  type ResolvedPersistenceOptions,
} from './persistence-options.interface';
import { resolvePersistenceOptions } from './persistence-options';
import { ConfigurablePersistenceModule, PERSISTENCE_MODULE_OPTIONS } from './persistence.module-definition';

/**
 * Room and session history with TypeORM: the writer behind the signaling events and the queries
 * of the admin API (global, for AdminModule). `PersistenceModule.forRoot({ database, nodeId })` or
 * `forRootAsync({ useFactory })`. Needs SignalingModule's providers (import it with `isGlobal: true`).
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      name: HISTORY_CONNECTION,
      inject: [PERSISTENCE_OPTIONS],
      useFactory: (options: ResolvedPersistenceOptions): TypeOrmModuleOptions => ({
        ...options.database,
        // Boot fails fast with the database's own error instead of retrying for half a minute.
        retryAttempts: 0,
      }),
    }),
  ],
  providers: [
    {
      provide: PERSISTENCE_OPTIONS,
      useFactory: (options: PersistenceModuleOptions) => resolvePersistenceOptions(options),
      inject: [PERSISTENCE_MODULE_OPTIONS],
    },
    HistoryWriter,
    HistoryQueryService,
    { provide: HISTORY_STATS, useExisting: HistoryWriter },
    { provide: HISTORY_DATA_SOURCE, useExisting: getDataSourceToken(HISTORY_CONNECTION) },
  ],
  exports: [PERSISTENCE_OPTIONS, HistoryWriter, HistoryQueryService, HISTORY_STATS, HISTORY_DATA_SOURCE],
})
export class PersistenceModule extends ConfigurablePersistenceModule {}
