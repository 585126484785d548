import { Module } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { ConfigurableAdminModule } from './admin.module-definition';
import { HistoryController } from './history.controller';
import { RoomsController } from './rooms.controller';
import { SessionsController } from './sessions.controller';
import { StatsController } from './stats.controller';

/**
 * REST admin API under /api/v1: active rooms and sessions, history, totals, forced leave.
 * Needs SignalingModule (global) and PersistenceModule providers:
 * `AdminModule.forRoot({ apiKey })`, `AdminModule.forRoot({ guard: MyGuard })` or `forRootAsync({ useFactory })`.
 * Options are checked when the app initialises (resolveAdminOptions, by AdminAuthGuard).
 */
@Module({
  controllers: [RoomsController, SessionsController, HistoryController, StatsController],
  providers: [AdminAuthGuard],
})
export class AdminModule extends ConfigurableAdminModule {}
