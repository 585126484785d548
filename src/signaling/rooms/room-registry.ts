import type { LeaveReason } from '../protocol/leave-reason.enum';
import type { PeerIdentity, RoomMember, RoomSnapshot } from './room-member';

export type JoinOutcome =
  /** Added. `waiting` is the peer that was alone in the room: it receives `start`. */
  | {
      readonly status: 'joined';
      readonly member: RoomMember;
      readonly waiting?: RoomMember;
      readonly roomOpened: boolean;
      /** The room after the join. */
      readonly room: RoomSnapshot;
    }
  /** The connection was already a member: nothing changed. */
  | { readonly status: 'already-member'; readonly member: RoomMember }
  /** Two peers already: nothing changed. */
  | { readonly status: 'full' };

/** What one member's departure did. */
export interface Departure {
  readonly member: RoomMember;
  /** The peer still in the room: it receives `stop`. */
  readonly remaining?: RoomMember;
  /** The room as it was when the member left. */
  readonly room: RoomSnapshot;
  /** The room is now empty and deleted. */
  readonly roomClosed: boolean;
}

/**
 * Room membership: capacity two, one membership per connection and room. The in-memory default
 * serves one node; a shared implementation (Redis) replaces it through this abstract class.
 * Changes are asynchronous; the relay lookup (`membership`) is synchronous because it is on the hot path.
 */
export abstract class RoomRegistry {
  /** Capacity of a room: Ant Media P2P is one-to-one. */
  static readonly CAPACITY = 2;

  abstract join(streamId: string, peer: PeerIdentity): Promise<JoinOutcome>;

  /**
   * Removes one membership; undefined when the connection is not a member (or, with `sessionId`,
   * when its membership is another session: a kick never removes a session that replaced the one meant).
   */
  abstract leave(streamId: string, connectionId: string, sessionId?: string): Promise<Departure | undefined>;

  /** Removes every membership of a connection (socket closed, timed out, shut down). */
  abstract leaveAll(connectionId: string): Promise<Departure[]>;

  /**
   * The rooms a connection of this node is in. The registry is the one owner of this (PeerConnection.rooms
   * and the per-connection room limit ask it): it changes with the memberships, whoever changes them.
   * Synchronous, and allocates nothing.
   */
  abstract roomsOf(connectionId: string): ReadonlySet<string>;

  /** The connection's membership of the room, if any. Synchronous: called for every relayed frame. */
  abstract membership(streamId: string, connectionId: string): RoomMember | undefined;

  abstract findSession(sessionId: string): Promise<RoomMember | undefined>;

  abstract getRoom(streamId: string): Promise<RoomSnapshot | undefined>;

  abstract listRooms(): Promise<RoomSnapshot[]>;

  /**
   * The memberships of this node's own connections, with their live relay counters (history writes
   * those counters). Default: every member of every room, which is right for a single node.
   */
  async listLocalMembers(): Promise<RoomMember[]> {
    return (await this.listRooms()).flatMap((room) => room.members);
  }

  /**
   * Called once by SignalingService with the function that announces departures the registry decided
   * on its own (a shared registry: the memberships of a node that stopped renewing its lease): the
   * remaining peers receive `stop`, `peer.left`/`room.closed` are emitted. The in-memory registry
   * never removes anyone on its own and ignores it.
   */
  handleDepartures(_announce: (departures: readonly Departure[], reason: LeaveReason) => void): void {
    // nothing decides departures here
  }
}
