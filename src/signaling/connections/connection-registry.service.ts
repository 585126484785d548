import { Injectable } from '@nestjs/common';
import type { PeerConnection } from './peer-connection';

/** The sockets connected to this node, by connection id. */
@Injectable()
export class ConnectionRegistry {
  private readonly connections = new Map<string, PeerConnection>();

  add(connection: PeerConnection): void {
    this.connections.set(connection.id, connection);
  }

  remove(connection: PeerConnection): void {
    if (this.connections.get(connection.id) === connection) this.connections.delete(connection.id);
  }

  get(id: string): PeerConnection | undefined {
    return this.connections.get(id);
  }

  get size(): number {
    return this.connections.size;
  }

  values(): IterableIterator<PeerConnection> {
    return this.connections.values();
  }
}
