import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';

/**
 * `GET /health/live` and `GET /health/ready` (terminus). Readiness pings the history database when
 * PersistenceModule is in the app; without it readiness equals liveness.
 */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController],
})
export class HealthModule {}
