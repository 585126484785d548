import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOSE_SERVICE_RESTART } from '../signaling/connections/close-codes';
import { ConnectionRegistry } from '../signaling/connections/connection-registry.service';
import { LeaveReason } from '../signaling/protocol/leave-reason.enum';
import type { PeerIdentity, RoomMember, RoomSnapshot } from '../signaling/rooms/room-member';
import { Departure, JoinOutcome, RoomRegistry } from '../signaling/rooms/room-registry';
import {
  controlMessage,
  memberFromRecord,
  parseCounters,
  type ClusterControl,
  type MemberRecord,
} from './cluster-messages';
import { RedisClusterNode } from './redis-cluster-node.service';

type Announce = (departures: readonly Departure[], reason: LeaveReason) => void;


/** Why a sweep ends the memberships of a node that stopped: its sockets are gone, as after a close. */
export const NODE_LOST_REASON = LeaveReason.Disconnect;

/**
 * Room membership shared by every node through Redis (docs/scale-out.md).
 *
 * Changes are Lua scripts (atomic: capacity, already-member, session-scoped leave). The relay hot
 * path never waits for Redis: `membership()` reads a local mirror of this node's memberships, each
 * with its peer (local, or a copy of the remote member with its node id). The node that changes a room
 * tells the node of the other member (`pj` joined, `pl` left) on that node's channel, before the frames
 * (`start`, `stop`) that follow, so the mirror is up to date when they arrive.
 *
 * Leases: each node renews `lease:<nodeId>` every third of the lease (RedisClusterNode); every node sweeps the
 * memberships of nodes whose lease expired (and, at boot, those its own previous run left), announcing
 * each departure once (reason `disconnect`): the remaining peer receives `stop`, events are emitted.
 */
@Injectable()
export class RedisRoomRegistry extends RoomRegistry implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RedisRoomRegistry.name);
  private readonly nodeId: string;
  /** This node's memberships: streamId → connectionId → member. */
  private readonly local = new Map<string, Map<string, RoomMember>>();
  private readonly localSessions = new Map<string, RoomMember>();
  private readonly roomsByConnection = new Map<string, Set<string>>();
  /** Remote peers of local members (for `deliver` by connection id): connectionId → node, references. */
  private readonly remotePeers = new Map<string, { nodeId: string; refs: number }>();
  /**
   * Joins whose script is in flight or whose mirror entry is not yet open to messages, by session id:
   * messages for that session wait here, in order (another node may answer faster than our own reply).
   */
  private readonly pendingJoins = new Map<string, Array<() => void>>();
  /** Memberships of closed connections that Redis failed to remove: retried by the maintenance tick. */
  private readonly orphans = new Map<string, Set<string>>();
  private readonly syncedCounters = new Map<string, number>();
  private announce: Announce | undefined;
  private timer: NodeJS.Timeout | undefined;
  private maintaining: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly node: RedisClusterNode,
    private readonly connections: ConnectionRegistry,
  ) {
    super();
    this.nodeId = node.nodeId;
    node.listen((message) => {
      if (message.kind === 'control') this.onControl(message.control);
    });
    node.onLeaseRecovered(() => {
      this.fenceLostMemberships().catch((error: Error) => this.node.reportError('membership check', error));
    });
  }

  override handleDepartures(announce: Announce): void {
    this.announce = announce;
  }

  /**
   * Before the app listens (the node holds its lease since its init): ends what this node's previous
   * run left, then sweeps the cluster every lease renewal period.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.sweepNode(this.nodeId, false);
    this.timer = setInterval(() => this.tick(), this.node.renewIntervalMs);
    this.timer.unref();
  }

  /** Stops the sweeps; waits for one in progress (Redis closes at application shutdown, after this). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.maintaining;
  }

  // ---------------------------------------------------------------------------------------------
  // RoomRegistry

  async join(streamId: string, peer: PeerIdentity): Promise<JoinOutcome> {
    const sessionId = randomUUID();
    const now = Date.now();
    const record: MemberRecord = {
      s: sessionId,
      c: peer.connectionId,
      n: this.nodeId,
      a: peer.remoteAddress,
      u: peer.userAgent,
      m: peer.mode,
      j: now,
    };
    const recordJson = JSON.stringify(record);
    const deferred: Array<() => void> = [];
    this.pendingJoins.set(sessionId, deferred);
    let reply: unknown[];
    try {
      reply = await this.node.commands.sigJoin(
        this.roomKey(streamId),
        this.node.key('rooms'),
        this.node.key('sessions'),
        this.nodeSessionsKey(this.nodeId),
        this.node.key('nodes'),
        streamId,
        peer.connectionId,
        recordJson,
        sessionId,
        randomUUID(),
        now,
        this.nodeId,
        RoomRegistry.CAPACITY,
      );
    } catch (error) {
      this.pendingJoins.delete(sessionId);
      throw error;
    }
    const status = reply[0] as string;
    if (status !== 'joined') {
      this.pendingJoins.delete(sessionId);
      if (status === 'full') return { status: 'full' };
      const existing = JSON.parse(reply[1] as string) as MemberRecord;
      const member = this.membership(streamId, peer.connectionId);
      return { status: 'already-member', member: member ?? memberFromRecord(existing, streamId, '') };
    }
    const roomOpened = reply[1] === 1;
    const hash = pairs(reply[2] as string[]);
    const roomId = hash.get('id') as string;
    const member = memberFromRecord(record, streamId, roomId);
    this.addLocal(member);
    const others = membersOf(hash, streamId, roomId).filter((m) => m.connectionId !== peer.connectionId);
    let waiting: RoomMember | undefined;
    if (others.length > 0) {
      const other = others[0];
      if (other.nodeId === this.nodeId) {
        waiting = this.membership(streamId, other.connectionId) ?? other;
        this.link(waiting, member);
      } else {
        waiting = other;
        // The waiting peer's node learns of its new peer before `start` reaches it.
        this.node.publish(
          other.nodeId as string,
          controlMessage({ t: 'pj', s: streamId, c: other.connectionId, ts: other.sessionId, r: roomId, p: recordJson }),
        );
      }
      this.link(member, waiting);
    }
    // Messages for this session that arrived before this reply are handled after the caller's
    // acknowledgement (`joined`) went out, and before any later message.
    setImmediate(() => {
      this.pendingJoins.delete(sessionId);
      for (const handle of deferred) handle();
    });
    const members = waiting ? [waiting, member] : [member];
    return { status: 'joined', member, waiting, roomOpened, room: snapshotOf(hash, streamId, members, now) };
  }

  async leave(streamId: string, connectionId: string, sessionId?: string): Promise<Departure | undefined> {
    const reply = await this.node.commands.sigLeave(this.node.keyPrefix, streamId, connectionId, sessionId ?? '', Date.now());
    return reply[0] === 'left' ? this.departed(reply) : undefined;
  }

  async leaveAll(connectionId: string): Promise<Departure[]> {
    const joined = this.roomsByConnection.get(connectionId);
    if (!joined) return [];
    const departures: Departure[] = [];
    for (const streamId of [...joined]) {
      try {
        const departure = await this.leave(streamId, connectionId);
        if (departure) departures.push(departure);
        else this.removeLocal(streamId, connectionId);
      } catch (error) {
        // Retried by the maintenance tick: a closed socket must not hold its room in Redis.
        this.node.reportError('leave', error as Error);
        let streams = this.orphans.get(connectionId);
        if (!streams) this.orphans.set(connectionId, (streams = new Set()));
        streams.add(streamId);
      }
    }
    return departures;
  }

  membership(streamId: string, connectionId: string): RoomMember | undefined {
    return this.local.get(streamId)?.get(connectionId);
  }

  async findSession(sessionId: string): Promise<RoomMember | undefined> {
    const local = this.localSessions.get(sessionId);
    if (local) return local;
    const reply = await this.node.commands.sigFindSession(this.node.keyPrefix, sessionId);
    if (!reply) return undefined;
    const [raw, streamId, roomId, counters] = reply as string[];
    return memberFromRecord(JSON.parse(raw) as MemberRecord, streamId, roomId, parseCounters(counters));
  }

  async getRoom(streamId: string): Promise<RoomSnapshot | undefined> {
    const hash = pairs((await this.node.commands.hgetall(this.roomKey(streamId))) as Record<string, string>);
    if (!hash.has('id')) return undefined;
    return (await this.snapshots([[streamId, hash]]))[0];
  }

  async listRooms(): Promise<RoomSnapshot[]> {
    const streamIds = await this.node.commands.smembers(this.node.key('rooms'));
    if (streamIds.length === 0) return [];
    const pipeline = this.node.commands.pipeline();
    for (const streamId of streamIds) pipeline.hgetall(this.roomKey(streamId));
    const results = (await pipeline.exec()) ?? [];
    const rooms: Array<[string, Map<string, string>]> = [];
    results.forEach(([error, value], i) => {
      if (error) throw error;
      const hash = pairs(value as Record<string, string>);
      if (hash.has('id')) rooms.push([streamIds[i], hash]);
    });
    return this.snapshots(rooms);
  }

  override async listLocalMembers(): Promise<RoomMember[]> {
    return [...this.localSessions.values()];
  }

  // ---------------------------------------------------------------------------------------------
  // For RedisSignalingRelay

  /**
   * The local member a cross-node frame is for: the member when its session is current, 'pending'
   * while that session's join is being completed (then `defer` it), undefined when it has ended.
   */
  localTarget(streamId: string, connectionId: string, sessionId: string): RoomMember | 'pending' | undefined {
    if (this.pendingJoins.has(sessionId)) return 'pending';
    const member = this.membership(streamId, connectionId);
    return member?.sessionId === sessionId ? member : undefined;
  }

  /** Runs `handle` once the join of `sessionId` is complete (in arrival order); see localTarget. */
  defer(sessionId: string, handle: () => void): void {
    const deferred = this.pendingJoins.get(sessionId);
    if (deferred) deferred.push(handle);
    else handle();
  }

  /** The node of a remote peer of one of this node's members. */
  nodeOfRemotePeer(connectionId: string): string | undefined {
    return this.remotePeers.get(connectionId)?.nodeId;
  }

  // ---------------------------------------------------------------------------------------------
  // Mirror

  private addLocal(member: RoomMember): void {
    let members = this.local.get(member.streamId);
    if (!members) this.local.set(member.streamId, (members = new Map()));
    members.set(member.connectionId, member);
    this.localSessions.set(member.sessionId, member);
    let joined = this.roomsByConnection.get(member.connectionId);
    if (!joined) this.roomsByConnection.set(member.connectionId, (joined = new Set()));
    joined.add(member.streamId);
  }

  private removeLocal(streamId: string, connectionId: string): RoomMember | undefined {
    const members = this.local.get(streamId);
    const member = members?.get(connectionId);
    if (!members || !member) return undefined;
    members.delete(connectionId);
    if (members.size === 0) this.local.delete(streamId);
    this.localSessions.delete(member.sessionId);
    this.syncedCounters.delete(member.sessionId);
    const joined = this.roomsByConnection.get(connectionId);
    joined?.delete(streamId);
    if (joined?.size === 0) this.roomsByConnection.delete(connectionId);
    this.link(member, undefined);
    return member;
  }

  /** Sets a local member's peer, keeping the index of remote peers. */
  private link(member: RoomMember, peer: RoomMember | undefined): void {
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

  /** Turns a leave script's reply into a Departure, updating the mirror and telling the nodes concerned. */
  private departed(reply: unknown[]): Departure {
    const roomClosed = reply[1] === 1;
    const before = pairs(reply[2] as string[]);
    const counters = parseCounters(reply[3] as string);
    const streamId = reply[4] as string;
    const connectionId = reply[5] as string;
    const roomId = before.get('id') as string;
    const stored = membersOf(before, streamId, roomId);
    const leaving = stored.find((m) => m.connectionId === connectionId) as RoomMember;
    let member: RoomMember;
    const local = this.membership(streamId, connectionId);
    if (local && local.sessionId === leaving.sessionId) {
      member = local;
      this.removeLocal(streamId, connectionId);
    } else {
      member = { ...leaving, messagesRelayed: counters.messagesRelayed, bytesRelayed: counters.bytesRelayed };
      if (member.nodeId !== this.nodeId) {
        // Its node (if it still runs) drops the membership from its mirror.
        this.node.publish(
          member.nodeId as string,
          controlMessage({ t: 'rm', s: streamId, c: connectionId, ts: member.sessionId }),
        );
      }
    }
    let remaining = stored.find((m) => m.connectionId !== connectionId);
    if (remaining) {
      const mirrored = remaining.nodeId === this.nodeId ? this.membership(streamId, remaining.connectionId) : undefined;
      if (mirrored && mirrored.sessionId === remaining.sessionId) {
        remaining = mirrored;
        this.link(remaining, undefined);
      } else if (remaining.nodeId !== this.nodeId) {
        // Its node clears the peer before `stop` reaches it.
        this.node.publish(
          remaining.nodeId as string,
          controlMessage({ t: 'pl', s: streamId, c: remaining.connectionId, ts: remaining.sessionId, ls: member.sessionId }),
        );
      }
    }
    const members = stored.map((m) => {
      if (m.connectionId === connectionId) return member;
      return remaining && m.connectionId === remaining.connectionId ? remaining : m;
    });
    return { member, remaining, roomClosed, room: snapshotOf(before, streamId, members, Date.now()) };
  }

  private onControl(control: ClusterControl): void {
    switch (control.t) {
      case 'pj':
      case 'pl':
      case 'rm': {
        const target = this.localTarget(control.s, control.c, control.ts);
        if (target === 'pending') this.defer(control.ts, () => this.onControl(control));
        else if (target) this.applyControl(target, control);
        return;
      }
      default:
        return;
    }
  }

  private applyControl(member: RoomMember, control: Extract<ClusterControl, { t: 'pj' | 'pl' | 'rm' }>): void {
    if (control.t === 'pj') {
      this.link(member, memberFromRecord(JSON.parse(control.p) as MemberRecord, control.s, control.r));
    } else if (control.t === 'pl') {
      if (member.peer?.sessionId === control.ls) this.link(member, undefined);
    } else {
      // Another node ended this membership (a sweep while this node's lease had lapsed, or a kick
      // while it looked stopped) and told its partner. The client here is told by a close.
      const peer = member.peer;
      this.removeLocal(control.s, control.c);
      this.connections.get(control.c)?.rooms.delete(control.s);
      if (peer && peer.nodeId === this.nodeId && peer.peer === member) this.link(peer, undefined);
      this.logger.warn(`membership ${control.ts} was ended by another node: closing its socket`);
      this.connections.get(control.c)?.socket.close(CLOSE_SERVICE_RESTART, 'membership lost, join again');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Leases, sweeps, counters

  private tick(): void {
    if (this.stopped || this.maintaining) return;
    this.maintaining = this.maintain()
      .catch((error: Error) => this.node.reportError('sweep', error))
      .finally(() => {
        this.maintaining = undefined;
      });
  }

  private async maintain(): Promise<void> {
    await this.syncCounters();
    await this.retryOrphans();
    const nodes = await this.node.commands.smembers(this.node.key('nodes'));
    for (const nodeId of nodes) {
      if (nodeId === this.nodeId || this.stopped) continue;
      if ((await this.node.commands.exists(this.node.key(`lease:${nodeId}`))) === 0) await this.sweepNode(nodeId, true);
    }
  }

  /**
   * Ends every membership of `nodeId` (a node whose lease expired, or this node's previous run).
   * `guarded`: each removal is skipped if the node's lease reappeared meanwhile.
   */
  private async sweepNode(nodeId: string, guarded: boolean): Promise<void> {
    const sessionIds = await this.node.commands.smembers(this.nodeSessionsKey(nodeId));
    const lease = this.node.key(`lease:${nodeId}`);
    let ended = 0;
    for (const sessionId of sessionIds) {
      const reply = await this.node.commands.sigLeaveSession(this.node.keyPrefix, sessionId, Date.now(), guarded ? lease : '', nodeId);
      if (reply[0] === 'alive') return;
      if (reply[0] !== 'left') continue;
      ended++;
      this.announce?.([this.departed(reply)], NODE_LOST_REASON);
    }
    if (ended > 0) {
      const whose = nodeId === this.nodeId ? `the previous run of this node (${nodeId})` : `node ${nodeId} (lease expired)`;
      this.logger.warn(`ended ${ended} membership(s) of ${whose}`);
    }
    if (nodeId !== this.nodeId) {
      await this.node.commands.sigForgetNode(this.node.key('nodes'), lease, this.nodeSessionsKey(nodeId), nodeId);
    }
  }

  /**
   * After this node's lease had expired (it was cut off from Redis, or stalled), other nodes may have
   * ended some of its memberships, announced them and told the partners `stop`; their messages to this
   * node (`rm`, handled like this) may have been lost meanwhile. The sockets concerned (members whose membership is gone, and their partners
   * on this node) are closed with 1012 (service restart): their clients reconnect and join again, and
   * the usual clean-up ends what is left of them.
   */
  async fenceLostMemberships(): Promise<void> {
    const members = [...this.localSessions.values()];
    if (members.length === 0) return;
    const pipeline = this.node.commands.pipeline();
    for (const member of members) pipeline.hexists(this.node.key('sessions'), member.sessionId);
    const results = (await pipeline.exec()) ?? [];
    const lost = members.filter((_, i) => results[i]?.[0] === null && results[i]?.[1] === 0);
    if (lost.length === 0) return;
    const close = new Set<string>();
    for (const member of lost) {
      const peer = member.peer;
      if (peer && peer.nodeId === this.nodeId) close.add(peer.connectionId);
      close.add(member.connectionId);
      this.removeLocal(member.streamId, member.connectionId);
      this.connections.get(member.connectionId)?.rooms.delete(member.streamId);
    }
    this.logger.warn(`${lost.length} membership(s) of this node were ended while its lease had expired: closing ${close.size} socket(s)`);
    for (const connectionId of close) this.connections.get(connectionId)?.socket.close(CLOSE_SERVICE_RESTART, 'membership lost, join again');
  }

  private async syncCounters(): Promise<void> {
    const args: string[] = [];
    for (const member of this.localSessions.values()) {
      if (this.syncedCounters.get(member.sessionId) === member.messagesRelayed) continue;
      this.syncedCounters.set(member.sessionId, member.messagesRelayed);
      args.push(member.sessionId, `${member.messagesRelayed} ${member.bytesRelayed}`);
    }
    if (args.length > 0) {
      await this.node.commands.sigSyncCounters(this.node.key('sessions'), this.node.key('counters'), ...args);
    }
  }

  private async retryOrphans(): Promise<void> {
    for (const [connectionId, streamIds] of [...this.orphans]) {
      for (const streamId of [...streamIds]) {
        const departure = await this.leave(streamId, connectionId);
        streamIds.delete(streamId);
        if (departure) this.announce?.([departure], NODE_LOST_REASON);
        else this.removeLocal(streamId, connectionId);
      }
      this.orphans.delete(connectionId);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private async snapshots(rooms: Array<[string, Map<string, string>]>): Promise<RoomSnapshot[]> {
    const stored = rooms.map(([streamId, hash]) => membersOf(hash, streamId, hash.get('id') as string));
    const remote = stored.flat().filter((m) => !this.localSessions.has(m.sessionId));
    const counters = remote.length > 0 ? await this.node.commands.hmget(this.node.key('counters'), ...remote.map((m) => m.sessionId)) : [];
    const countersOf = new Map(remote.map((m, i) => [m.sessionId, parseCounters(counters[i])]));
    const now = Date.now();
    return rooms.map(([streamId, hash], i) => {
      const members = stored[i].map((m) => {
        const local = this.localSessions.get(m.sessionId);
        if (local) return local;
        const c = countersOf.get(m.sessionId);
        return c ? { ...m, ...c } : m;
      });
      // copies of remote members point at each other, as live members do
      if (members.length === 2) {
        if (!this.localSessions.has(members[0].sessionId)) members[0].peer = members[1];
        if (!this.localSessions.has(members[1].sessionId)) members[1].peer = members[0];
      }
      return snapshotOf(hash, streamId, members, now);
    });
  }

  private roomKey(streamId: string): string {
    return this.node.key(`room:${streamId}`);
  }

  private nodeSessionsKey(nodeId: string): string {
    return this.node.key(`node:${nodeId}:sessions`);
  }
}

/** HGETALL as a flat array (scripts) or an object (ioredis) → Map. */
function pairs(value: string[] | Record<string, string>): Map<string, string> {
  const map = new Map<string, string>();
  if (Array.isArray(value)) for (let i = 0; i + 1 < value.length; i += 2) map.set(value[i], value[i + 1]);
  else for (const [key, field] of Object.entries(value)) map.set(key, field);
  return map;
}

/** The members stored in a room hash, the waiting (first) one first. */
function membersOf(hash: Map<string, string>, streamId: string, roomId: string): RoomMember[] {
  const first = hash.get('first');
  const members: RoomMember[] = [];
  for (const [key, value] of hash) {
    if (!key.startsWith('m:')) continue;
    const member = memberFromRecord(JSON.parse(value) as MemberRecord, streamId, roomId);
    if (key.slice(2) === first) members.unshift(member);
    else members.push(member);
  }
  return members;
}

function snapshotOf(hash: Map<string, string>, streamId: string, members: RoomMember[], now: number): RoomSnapshot {
  const pairedSince = hash.get('pairedSince');
  const callStartedAt = hash.get('callStartedAt');
  return {
    id: hash.get('id') as string,
    streamId,
    nodeId: hash.get('nodeId'),
    openedAt: new Date(Number(hash.get('openedAt'))),
    callStartedAt: callStartedAt ? new Date(Number(callStartedAt)) : undefined,
    peakPeers: Number(hash.get('peakPeers') ?? members.length),
    callDurationMs: Number(hash.get('callDurationMs') ?? 0) + (pairedSince ? Math.max(0, now - Number(pairedSince)) : 0),
    members,
  };
}
