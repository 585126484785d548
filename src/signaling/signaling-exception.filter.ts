import { ArgumentsHost, Catch, Injectable, Logger, WsExceptionFilter } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { connectionOf } from './connections/peer-connection';
import { ErrorDefinition } from './protocol/error-definition.enum';
import { logSafeMessage, logSafeStack } from './log-safe';
import { errorFrame } from './protocol/outbound-messages';
import { ProtocolError } from './protocol/protocol-error';
import { SignalingStats } from './signaling-stats.service';

const OPEN = 1;

/**
 * Bound on the gateway (a global filter does not reach gateways): turns a ProtocolError into the
 * protocol's `{"command":"error"}` frame; anything else is a server fault, logged, never a crash.
 */
@Injectable()
@Catch()
export class SignalingExceptionFilter implements WsExceptionFilter {
  private readonly logger = new Logger('SignalingGateway');

  constructor(private readonly stats: SignalingStats) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    this.report(host.switchToWs().getClient<WebSocket>(), exception);
  }

  /** Also called by the gateway for errors of a connection's queued commands, to keep replies in order. */
  report(socket: WebSocket, exception: unknown): void {
    if (exception instanceof ProtocolError) {
      this.stats.countError(exception.definition);
      const detail = exception.definition === ErrorDefinition.InvalidMessage ? exception.detail : undefined;
      const frame = errorFrame(exception.definition, exception.streamId, detail);
      const connection = connectionOf(socket);
      if (connection) connection.send(frame);
      else if (socket.readyState === OPEN) socket.send(frame);
      return;
    }
    // The message may quote the frame: escaped, like every client-supplied text in a log line.
    this.logger.error(`unexpected error handling a frame: ${logSafeMessage(exception, 500)}`, logSafeStack(exception, 500));
  }
}
