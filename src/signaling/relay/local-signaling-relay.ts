import { Injectable } from '@nestjs/common';
import { ConnectionRegistry } from '../connections/connection-registry.service';
import { SignalingRelay } from './signaling-relay';

/** Delivers to sockets connected to this node: one map lookup and `socket.send`. */
@Injectable()
export class LocalSignalingRelay extends SignalingRelay {
  constructor(private readonly connections: ConnectionRegistry) {
    super();
  }

  deliver(connectionId: string, frame: string): boolean {
    const connection = this.connections.get(connectionId);
    if (!connection) return false;
    connection.send(frame);
    return true;
  }
}
