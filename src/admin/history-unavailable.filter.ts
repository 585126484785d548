import {
  Catch,
  InternalServerErrorException,
  Logger,
  ServiceUnavailableException,
  type ArgumentsHost,
  type ExceptionFilter,
  type HttpException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { logSafe } from '../signaling/log-safe';
import type { IncomingMessage } from 'node:http';
import { HistoryQueryError } from '../persistence/history-failure';
import { HistoryUnavailableError } from '../persistence/history-unavailable.error';

export const HISTORY_UNAVAILABLE_MESSAGE = 'history database unavailable: try again later';
export const HISTORY_QUERY_FAILED_MESSAGE = 'history query failed';

/**
 * The admin API's answer to a history read that failed: 503 when the database is unreachable or busy
 * (HistoryUnavailableError), 500 when it refused the query (HistoryQueryError), with the body Nest
 * gives its HTTP exceptions (`statusCode`, `message`, `error`) and a fixed message: the driver's
 * words (SQL, table names, addresses) stay in the server log, where this logs them once, at error level.
 */
@Catch(HistoryUnavailableError, HistoryQueryError)
export class HistoryUnavailableFilter implements ExceptionFilter {
  private readonly logger = new Logger('AdminApi');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: HistoryUnavailableError | HistoryQueryError, host: ArgumentsHost): void {
    const outage = error instanceof HistoryUnavailableError;
    const exception: HttpException = outage
      ? new ServiceUnavailableException(HISTORY_UNAVAILABLE_MESSAGE)
      : new InternalServerErrorException(HISTORY_QUERY_FAILED_MESSAGE);
    const http = host.switchToHttp();
    const request = http.getRequest<IncomingMessage>();
    const path = logSafe((request.url ?? '').split('?')[0]);
    const cause = error.cause instanceof Error ? error.cause : undefined;
    // An outage is one line per request; a refused query is a fault to fix: with the driver's stack.
    const line = `${logSafe(request.method, 16)} ${path}: ${exception.getStatus()} ${logSafe(error.message, 1000)}`;
    if (outage || !cause?.stack) this.logger.error(line);
    else this.logger.error(line, cause.stack);
    this.adapterHost.httpAdapter.reply(http.getResponse(), exception.getResponse(), exception.getStatus());
  }
}
