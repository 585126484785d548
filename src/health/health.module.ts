import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';

/**
 * `GET /health/live` and `GET /health/ready` (terminus). Readiness pings the history database when
 * PersistenceModule is in the app and Redis when RedisSignalingModule is; without them readiness
 * equals liveness. Static, with no options: it finds what to ping in the app (optional injection).
 */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController],
})
export class HealthModule {}
