import { Injectable } from '@nestjs/common';
import type { PeerConnection } from './peer-connection';

/** The sockets connected to this node, by connection id. */
@Injectable()
export class ConnectionRegistry {
  private readonly connections = new Map<string, PeerConnection>();
  private readonly perAddress = new Map<string, number>();

  add(connection: PeerConnection): void {
    this.connections.set(connection.id, connection);
    this.perAddress.set(connection.remoteAddress, this.countFrom(connection.remoteAddress) + 1);
  }

  remove(connection: PeerConnection): void {
    if (this.connections.get(connection.id) !== connection) return;
    this.connections.delete(connection.id);
    const left = this.countFrom(connection.remoteAddress) - 1;
    if (left > 0) this.perAddress.set(connection.remoteAddress, left);
    else this.perAddress.delete(connection.remoteAddress);
  }

  /** Connections open from one remote address. */
  countFrom(address: string): number {
    return this.perAddress.get(address) ?? 0;
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
