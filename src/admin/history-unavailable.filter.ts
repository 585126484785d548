import { Catch, ServiceUnavailableException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { HistoryUnavailableError } from '../persistence/history-unavailable.error';

/**
 * The admin API's answer to a history database that cannot be read: 503, with the body Nest gives a
 * ServiceUnavailableException (`statusCode`, `message`, `error`).
 */
@Catch(HistoryUnavailableError)
export class HistoryUnavailableFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: HistoryUnavailableError, host: ArgumentsHost): void {
    const exception = new ServiceUnavailableException(error.message);
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), exception.getResponse(), exception.getStatus());
  }
}
