import { Controller, Get, Optional } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { HISTORY_CONNECTION } from '../persistence/persistence.constants';

/** Time the history database has to answer the readiness ping. */
export const DATABASE_PING_TIMEOUT_MS = 1000;

/**
 * Probes for orchestrators, open like Prometheus targets and outside the Swagger document (see the
 * README): liveness says the process serves HTTP; readiness also pings the history database and
 * answers 503 when it does not answer within a second.
 */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly typeOrm: TypeOrmHealthIndicator,
    @Optional() @InjectDataSource(HISTORY_CONNECTION) private readonly history?: DataSource,
  ) {}

  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  ready(): Promise<HealthCheckResult> {
    const { history } = this;
    return this.health.check(
      history ? [() => this.typeOrm.pingCheck('database', { connection: history, timeout: DATABASE_PING_TIMEOUT_MS })] : [],
    );
  }
}
