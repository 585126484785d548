const NO_ROOMS: ReadonlySet<string> = new Set<string>();

/**
 * Which rooms each connection of this node is in: the index a room registry keeps beside its
 * memberships, changed with them (join, leave, a membership another node ended), so it can never
 * disagree with them. `of` allocates nothing: the per-connection room limit reads it on every join.
 */
export class ConnectionRooms {
  private readonly byConnection = new Map<string, Set<string>>();

  of(connectionId: string): ReadonlySet<string> {
    return this.byConnection.get(connectionId) ?? NO_ROOMS;
  }

  add(connectionId: string, streamId: string): void {
    let rooms = this.byConnection.get(connectionId);
    if (!rooms) this.byConnection.set(connectionId, (rooms = new Set()));
    rooms.add(streamId);
  }

  delete(connectionId: string, streamId: string): void {
    const rooms = this.byConnection.get(connectionId);
    if (!rooms) return;
    rooms.delete(streamId);
    if (rooms.size === 0) this.byConnection.delete(connectionId);
  }
}
