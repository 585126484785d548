import { ConnectionRooms } from '../signaling/rooms/connection-rooms';
import type { RoomMember } from '../signaling/rooms/room-member';

/**
 * This node's memberships, mirrored from Redis by RedisRoomRegistry so that the relay path never waits
 * for Redis (docs/scale-out.md, "The hot path stays local"): each local member with its peer (the
 * local member object when both peers are here, otherwise a copy of the remote member with its node
 * id), by room and by session; the rooms of each connection; the nodes of remote peers (for `deliver`
 * by connection id); the joins whose messages must wait. Memory only: the registry changes it after
 * Redis changed, or when another node says so.
 */
export class LocalMembershipMirror {
  /** streamId → connectionId → member. */
  private readonly byRoom = new Map<string, Map<string, RoomMember>>();
  private readonly bySession = new Map<string, RoomMember>();
  private readonly roomsByConnection = new ConnectionRooms();
  /** Remote peers of local members: connectionId → node, references. */
  private readonly remotePeers = new Map<string, { nodeId: string; refs: number }>();
  /**
   * Joins whose script is in flight or whose membership is not yet open to messages, by session id:
   * messages for that session wait here, in order (another node may answer faster than our own reply).
   */
  private readonly pendingJoins = new Map<string, Array<() => void>>();
  /** Relay message counts last written to Redis, per session. */
  private readonly syncedCounters = new Map<string, number>();

  constructor(private readonly nodeId: string) {}

  get(streamId: string, connectionId: string): RoomMember | undefined {
    return this.byRoom.get(streamId)?.get(connectionId);
  }

  session(sessionId: string): RoomMember | undefined {
    return this.bySession.get(sessionId);
  }

  hasSession(sessionId: string): boolean {
    return this.bySession.has(sessionId);
  }

  members(): RoomMember[] {
    return [...this.bySession.values()];
  }

  roomsOf(connectionId: string): ReadonlySet<string> {
    return this.roomsByConnection.of(connectionId);
  }

  add(member: RoomMember): void {
    let members = this.byRoom.get(member.streamId);
    if (!members) this.byRoom.set(member.streamId, (members = new Map()));
    members.set(member.connectionId, member);
    this.bySession.set(member.sessionId, member);
    this.roomsByConnection.add(member.connectionId, member.streamId);
  }

  /** Forgets a membership (and its peer link); returns it, if it was here. */
  remove(streamId: string, connectionId: string): RoomMember | undefined {
    const members = this.byRoom.get(streamId);
    const member = members?.get(connectionId);
    if (!members || !member) return undefined;
    members.delete(connectionId);
    if (members.size === 0) this.byRoom.delete(streamId);
    this.bySession.delete(member.sessionId);
    this.syncedCounters.delete(member.sessionId);
    this.roomsByConnection.delete(connectionId, streamId);
    this.link(member, undefined);
    return member;
  }

  /** Sets a local member's peer, keeping the index of remote peers. */
  link(member: RoomMember, peer: RoomMember | undefined): void {
    if (member.nodeId !== this.nodeId) return;
    const old = member.peer;
    if (old === peer) return;
    if (old && old.nodeId !== this.nodeId) {
      const entry = this.remotePeers.get(old.connectionId);
      if (entry && --entry.refs <= 0) this.remotePeers.delete(old.connectionId);
    }
    member.peer = peer;
    if (peer && peer.nodeId !== this.nodeId) {
      const entry = this.remotePeers.get(peer.connectionId);
      if (entry) entry.refs++;
      else this.remotePeers.set(peer.connectionId, { nodeId: peer.nodeId as string, refs: 1 });
    }
  }

  /** The node of a remote peer of one of this node's members. */
  nodeOfRemotePeer(connectionId: string): string | undefined {
    return this.remotePeers.get(connectionId)?.nodeId;
  }

  /** A join of `sessionId` is in flight: its messages wait (`defer`) until `openJoin` or `abandonJoin`. */
  beginJoin(sessionId: string): void {
    this.pendingJoins.set(sessionId, []);
  }

  abandonJoin(sessionId: string): void {
    this.pendingJoins.delete(sessionId);
  }

  /**
   * The join of `sessionId` is done: the messages that waited are handled after the caller's
   * acknowledgement (`joined`) went out, and before any later message.
   */
  openJoin(sessionId: string): void {
    const deferred = this.pendingJoins.get(sessionId);
    setImmediate(() => {
      this.pendingJoins.delete(sessionId);
      if (deferred) for (const handle of deferred) handle();
    });
  }

  /**
   * The local member a cross-node message is for: the member when its session is current, 'pending'
   * while that session's join is being completed (then `defer` it), undefined when it has ended.
   */
  target(streamId: string, connectionId: string, sessionId: string): RoomMember | 'pending' | undefined {
    if (this.pendingJoins.has(sessionId)) return 'pending';
    const member = this.get(streamId, connectionId);
    return member?.sessionId === sessionId ? member : undefined;
  }

  /** Runs `handle` once the join of `sessionId` is complete (in arrival order); see `target`. */
  defer(sessionId: string, handle: () => void): void {
    const deferred = this.pendingJoins.get(sessionId);
    if (deferred) deferred.push(handle);
    else handle();
  }

  /** The relay counters that changed since last asked, as SYNC_COUNTERS_SCRIPT takes them: sessionId, `"<messages> <bytes>"`, … */
  takeUnsyncedCounters(): string[] {
    const args: string[] = [];
    for (const member of this.bySession.values()) {
      if (this.syncedCounters.get(member.sessionId) === member.messagesRelayed) continue;
      this.syncedCounters.set(member.sessionId, member.messagesRelayed);
      args.push(member.sessionId, `${member.messagesRelayed} ${member.bytesRelayed}`);
    }
    return args;
  }
}
