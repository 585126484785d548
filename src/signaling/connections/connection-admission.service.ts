import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { SIGNALING_OPTIONS } from '../signaling.module-definition';
import type { ResolvedSignalingOptions } from '../signaling-options.interface';
import { ConnectionRegistry } from './connection-registry.service';

type VerifyCallback = (result: boolean, code?: number, message?: string) => void;

/**
 * Decides at the HTTP upgrade whether a WebSocket may open: allowed Origin, connection caps
 * overall and per remote address. A refused upgrade gets a plain HTTP error (403, 503 or 429).
 */
@Injectable()
export class ConnectionAdmission {
  private readonly logger = new Logger(ConnectionAdmission.name);

  constructor(
    @Inject(SIGNALING_OPTIONS) private readonly options: ResolvedSignalingOptions,
    private readonly connections: ConnectionRegistry,
  ) {}

  /** The client's address: the socket's peer, or the first X-Forwarded-For entry when trusted. */
  clientAddress(request: IncomingMessage): string {
    if (this.options.trustForwardedFor) {
      const header = request.headers['x-forwarded-for'];
      const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
      if (first) return first.slice(0, 64);
    }
    return request.socket.remoteAddress ?? '';
  }

  /** ws `verifyClient`. */
  readonly verifyClient = (info: { origin?: string; req: IncomingMessage }, accept: VerifyCallback): void => {
    const refusal = this.refusal(info.origin, this.clientAddress(info.req));
    if (!refusal) return accept(true);
    this.logger.debug(`upgrade refused (${refusal[1]})`);
    accept(false, refusal[0], refusal[1]);
  };

  private refusal(origin: string | undefined, address: string): [number, string] | undefined {
    const { allowedOrigins, requireOrigin, limits } = this.options;
    if (origin ? allowedOrigins && !allowedOrigins.has(origin) : requireOrigin) {
      return [403, 'Origin not allowed'];
    }
    if (this.connections.size >= limits.maxConnections) return [503, 'Too many connections'];
    if (this.connections.countFrom(address) >= limits.maxConnectionsPerAddress) {
      return [429, 'Too many connections from this address'];
    }
    return undefined;
  }
}
