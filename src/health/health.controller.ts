import { Controller, Get, Inject, Optional } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
  type HealthIndicatorFunction,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import { ExcludeFromApiDocs } from '../common/exclude-from-api-docs.decorator';
// Tokens only: TypeORM is loaded by PersistenceModule, never by the probes.
import { HISTORY_DATA_SOURCE } from '../persistence/history-tokens';
// Only the token and the type: ioredis is loaded by RedisSignalingModule, never by the probes.
import type { RedisClusterNode } from '../redis/redis-cluster-node.service';
import { REDIS_CLUSTER_NODE } from '../redis/redis-cluster-node.token';

/** Time the history database has to answer the readiness ping. */
export const DATABASE_PING_TIMEOUT_MS = 1000;
/** Time Redis has to answer the readiness ping. */
export const REDIS_PING_TIMEOUT_MS = 1000;

/**
 * Probes for orchestrators, open like Prometheus targets and outside the Swagger document (see the
 * README): liveness says the process serves HTTP; readiness also pings what the node cannot serve
 * without, when the app has it: the history database (PersistenceModule) and Redis
 * (RedisSignalingModule), and answers 503 when one does not answer within a second.
 */
@ExcludeFromApiDocs()
@Controller('health')
export class HealthController {
  private readonly readiness: HealthIndicatorFunction[] = [];

  constructor(
    private readonly health: HealthCheckService,
    typeOrm: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Optional() @Inject(HISTORY_DATA_SOURCE) history?: DataSource,
    @Optional() @Inject(REDIS_CLUSTER_NODE) private readonly redis?: RedisClusterNode,
  ) {
    if (history) {
      this.readiness.push(() => typeOrm.pingCheck('database', { connection: history, timeout: DATABASE_PING_TIMEOUT_MS }));
    }
    if (redis) this.readiness.push(() => this.pingRedis(redis));
  }

  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  ready(): Promise<HealthCheckResult> {
    return this.health.check(this.readiness);
  }

  private async pingRedis(redis: RedisClusterNode): Promise<HealthIndicatorResult<'redis'>> {
    const indicator = this.indicators.check('redis');
    try {
      await redis.ping(REDIS_PING_TIMEOUT_MS);
      return indicator.up();
    } catch {
      return indicator.down();
    }
  }
}
