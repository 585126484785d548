/** Who is joining: what the registry records about a peer besides its room. */
export interface PeerIdentity {
  readonly connectionId: string;
  readonly remoteAddress: string;
  readonly userAgent: string;
  /** Join mode the client sent (`both`, `play`). */
  readonly mode: string;
}

/** One peer's membership of one room (a "peer session"). */
export interface RoomMember extends PeerIdentity {
  /** Unique id of this membership; the admin API's session id. */
  readonly sessionId: string;
  readonly streamId: string;
  /** Id of the room occupancy this membership belongs to (RoomSnapshot.id). */
  readonly roomId: string;
  readonly joinedAt: Date;
  /**
   * Node whose socket this member is (a shared registry's NODE_ID); undefined with the single-node
   * in-memory registry. History records it; a shared relay routes frames by it.
   */
  readonly nodeId?: string;
  /** The other member of the room, while there is one: the relay target. */
  peer: RoomMember | undefined;
  /** Frames relayed from this peer to the other, and their UTF-8 size. */
  messagesRelayed: number;
  bytesRelayed: number;
}

/** A room's state as the admin API and the lifecycle events see it. */
export interface RoomSnapshot {
  /** Id of this occupancy of the streamId: from the first join until the room is empty. */
  readonly id: string;
  readonly streamId: string;
  readonly openedAt: Date;
  /** Node of the peer that opened this occupancy (shared registries); undefined in memory. */
  readonly nodeId?: string;
  /** When a second peer first joined (the first `start`), if one did. */
  readonly callStartedAt: Date | undefined;
  readonly peakPeers: number;
  /** Milliseconds both peers were present, up to now. */
  readonly callDurationMs: number;
  readonly members: readonly RoomMember[];
}
