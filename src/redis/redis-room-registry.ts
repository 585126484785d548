import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOSE_SERVICE_RESTART } from '../signaling/connections/close-codes';
import { ConnectionRegistry } from '../signaling/connections/connection-registry.service';
import type { LeaveReason } from '../signaling/protocol/leave-reason.enum';
import type { PeerIdentity, RoomMember, RoomSnapshot } from '../signaling/rooms/room-member';
import { Departure, JoinOutcome, RoomRegistry } from '../signaling/rooms/room-registry';
import {
  controlMessage,
  memberFromRecord,
  parseCounters,
  type ClusterControl,
  type MemberRecord,
} from './cluster-messages';
import { LapsedNodeSweeper, NODE_LOST_REASON } from './lapsed-node-sweeper';
import { LocalMembershipMirror } from './local-membership-mirror';
import { RedisClusterNode } from './redis-cluster-node.service';
import { membersOf, pairs, snapshotOf } from './room-hash';

type Announce = (departures: readonly Departure[], reason: LeaveReason) => void;

/**
 * Room membership shared by every node through Redis (docs/scale-out.md).
 *
 * Changes are Lua scripts (atomic: capacity, already-member, session-scoped leave). The relay hot
 * path never waits for Redis: `membership()` reads the mirror of this node's memberships
 * (LocalMembershipMirror). The node that changes a room tells the node of the other member (`pj`
 * joined, `pl` left) on that node's channel, before the frames (`start`, `stop`) that follow, so the
 * mirror is up to date when they arrive.
 *
 * Every lease renewal period this node writes its members' relay counters, retries the removals Redis
 * failed, and sweeps the memberships of nodes whose lease lapsed (LapsedNodeSweeper), announcing
 * each such departure once (reason `disconnect`): the remaining peer receives `stop`, events are emitted.
 */
@Injectable()
export class RedisRoomRegistry extends RoomRegistry implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RedisRoomRegistry.name);
  private readonly nodeId: string;
  private readonly mirror: LocalMembershipMirror;
  private readonly sweeper: LapsedNodeSweeper;
  /** Memberships of closed connections that Redis failed to remove: retried by the maintenance tick. */
  private readonly orphans = new Map<string, Set<string>>();
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
    this.mirror = new LocalMembershipMirror(node.nodeId);
    this.sweeper = new LapsedNodeSweeper(node, (reply) => this.announce?.([this.departed(reply)], NODE_LOST_REASON));
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
   * run left, then maintains the cluster's state every lease renewal period.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.sweeper.sweepPreviousRun();
    this.timer = setInterval(() => this.tick(), this.node.renewIntervalMs);
    this.timer.unref();
  }

  /** Stops the maintenance; waits for a round in progress (Redis closes at application shutdown, after this). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.sweeper.stop();
    clearInterval(this.timer);
    this.timer = undefined;
    await this.maintaining;
  }

  // RoomRegistry

  async join(streamId: string, peer: PeerIdentity): Promise<JoinOutcome> {
    const { commands, keys } = this.node;
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
    this.mirror.beginJoin(sessionId);
    let reply: unknown[];
    try {
      reply = await commands.sigJoin(
        keys.room(streamId),
        keys.rooms,
        keys.sessions,
        keys.nodeSessions(this.nodeId),
        keys.nodes,
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
      this.mirror.abandonJoin(sessionId);
      throw error;
    }
    const status = reply[0] as string;
    if (status !== 'joined') {
      this.mirror.abandonJoin(sessionId);
      if (status === 'full') return { status: 'full' };
      const existing = JSON.parse(reply[1] as string) as MemberRecord;
      const member = this.membership(streamId, peer.connectionId);
      return { status: 'already-member', member: member ?? memberFromRecord(existing, streamId, '') };
    }
    const roomOpened = reply[1] === 1;
    const hash = pairs(reply[2] as string[]);
    const roomId = hash.get('id') as string;
    const member = memberFromRecord(record, streamId, roomId);
    this.mirror.add(member);
    const others = membersOf(hash, streamId, roomId).filter((m) => m.connectionId !== peer.connectionId);
    let waiting: RoomMember | undefined;
    if (others.length > 0) {
      const other = others[0];
      if (other.nodeId === this.nodeId) {
        waiting = this.membership(streamId, other.connectionId) ?? other;
        this.mirror.link(waiting, member);
      } else {
        waiting = other;
        // The waiting peer's node learns of its new peer before `start` reaches it.
        this.node.publish(
          other.nodeId as string,
          controlMessage({ t: 'pj', s: streamId, c: other.connectionId, ts: other.sessionId, r: roomId, p: recordJson }),
        );
      }
      this.mirror.link(member, waiting);
    }
    this.mirror.openJoin(sessionId);
    const members = waiting ? [waiting, member] : [member];
    return { status: 'joined', member, waiting, roomOpened, room: snapshotOf(hash, streamId, members, now) };
  }

  async leave(streamId: string, connectionId: string, sessionId?: string): Promise<Departure | undefined> {
    const reply = await this.node.commands.sigLeave(this.node.keys.prefix, streamId, connectionId, sessionId ?? '', Date.now());
    return reply[0] === 'left' ? this.departed(reply) : undefined;
  }

  async leaveAll(connectionId: string): Promise<Departure[]> {
    const departures: Departure[] = [];
    for (const streamId of [...this.mirror.roomsOf(connectionId)]) {
      try {
        const departure = await this.leave(streamId, connectionId);
        if (departure) departures.push(departure);
        else this.mirror.remove(streamId, connectionId);
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

  roomsOf(connectionId: string): ReadonlySet<string> {
    return this.mirror.roomsOf(connectionId);
  }

  membership(streamId: string, connectionId: string): RoomMember | undefined {
    return this.mirror.get(streamId, connectionId);
  }

  async findSession(sessionId: string): Promise<RoomMember | undefined> {
    const local = this.mirror.session(sessionId);
    if (local) return local;
    const reply = await this.node.commands.sigFindSession(this.node.keys.prefix, sessionId);
    if (!reply) return undefined;
    const [raw, streamId, roomId, counters] = reply as string[];
    return memberFromRecord(JSON.parse(raw) as MemberRecord, streamId, roomId, parseCounters(counters));
  }

  async getRoom(streamId: string): Promise<RoomSnapshot | undefined> {
    const hash = pairs((await this.node.commands.hgetall(this.node.keys.room(streamId))) as Record<string, string>);
    if (!hash.has('id')) return undefined;
    return (await this.snapshots([[streamId, hash]]))[0];
  }

  async listRooms(): Promise<RoomSnapshot[]> {
    const { commands, keys } = this.node;
    const streamIds = await commands.smembers(keys.rooms);
    if (streamIds.length === 0) return [];
    const pipeline = commands.pipeline();
    for (const streamId of streamIds) pipeline.hgetall(keys.room(streamId));
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
    return this.mirror.members();
  }

  // For RedisSignalingRelay

  /**
   * The local member a cross-node frame is for: the member when its session is current, 'pending'
   * while that session's join is being completed (then `defer` it), undefined when it has ended.
   */
  localTarget(streamId: string, connectionId: string, sessionId: string): RoomMember | 'pending' | undefined {
    return this.mirror.target(streamId, connectionId, sessionId);
  }

  /** Runs `handle` once the join of `sessionId` is complete (in arrival order); see localTarget. */
  defer(sessionId: string, handle: () => void): void {
    this.mirror.defer(sessionId, handle);
  }

  /** The node of a remote peer of one of this node's members. */
  nodeOfRemotePeer(connectionId: string): string | undefined {
    return this.mirror.nodeOfRemotePeer(connectionId);
  }

  /**
   * After this node's lease had expired (it was cut off from Redis, or stalled), other nodes may have
   * ended some of its memberships, announced them and told the partners `stop`; their messages to this
   * node (`rm`, handled like this) may have been lost meanwhile. The sockets concerned (members whose
   * membership is gone, and their partners on this node) are closed with 1012 (service restart): their
   * clients reconnect and join again, and the usual clean-up ends what is left of them.
   */
  async fenceLostMemberships(): Promise<void> {
    const members = this.mirror.members();
    if (members.length === 0) return;
    const pipeline = this.node.commands.pipeline();
    for (const member of members) pipeline.hexists(this.node.keys.sessions, member.sessionId);
    const results = (await pipeline.exec()) ?? [];
    const lost = members.filter((_, i) => results[i]?.[0] === null && results[i]?.[1] === 0);
    if (lost.length === 0) return;
    const close = new Set<string>();
    for (const member of lost) {
      const peer = member.peer;
      if (peer && peer.nodeId === this.nodeId) close.add(peer.connectionId);
      close.add(member.connectionId);
      this.mirror.remove(member.streamId, member.connectionId);
    }
    this.logger.warn(`${lost.length} membership(s) of this node were ended while its lease had expired: closing ${close.size} socket(s)`);
    for (const connectionId of close) this.connections.get(connectionId)?.closeSocket(CLOSE_SERVICE_RESTART, 'membership lost, join again');
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
      this.mirror.remove(streamId, connectionId);
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
        this.mirror.link(remaining, undefined);
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
        const target = this.mirror.target(control.s, control.c, control.ts);
        if (target === 'pending') this.mirror.defer(control.ts, () => this.onControl(control));
        else if (target) this.applyControl(target, control);
        return;
      }
      default:
        return;
    }
  }

  private applyControl(member: RoomMember, control: Extract<ClusterControl, { t: 'pj' | 'pl' | 'rm' }>): void {
    if (control.t === 'pj') {
      this.mirror.link(member, memberFromRecord(JSON.parse(control.p) as MemberRecord, control.s, control.r));
    } else if (control.t === 'pl') {
      if (member.peer?.sessionId === control.ls) this.mirror.link(member, undefined);
    } else {
      // Another node ended this membership (a sweep while this node's lease had lapsed, or a kick
      // while it looked stopped) and told its partner. The client here is told by a close.
      const peer = member.peer;
      this.mirror.remove(control.s, control.c);
      if (peer && peer.nodeId === this.nodeId && peer.peer === member) this.mirror.link(peer, undefined);
      this.logger.warn(`membership ${control.ts} was ended by another node: closing its socket`);
      this.connections.get(control.c)?.closeSocket(CLOSE_SERVICE_RESTART, 'membership lost, join again');
    }
  }

  // Maintenance, every lease renewal period

  private tick(): void {
    if (this.stopped || this.maintaining) return;
    this.maintaining = this.maintain()
      .catch((error: Error) => this.node.reportError('sweep', error))
      .finally(() => {
        this.maintaining = undefined;
      });
  }

  private async maintain(): Promise<void> {
    const counters = this.mirror.takeUnsyncedCounters();
    if (counters.length > 0) {
      await this.node.commands.sigSyncCounters(this.node.keys.sessions, this.node.keys.counters, ...counters);
    }
    await this.retryOrphans();
    await this.sweeper.sweepLapsedNodes();
  }

  private async retryOrphans(): Promise<void> {
    for (const [connectionId, streamIds] of [...this.orphans]) {
      for (const streamId of [...streamIds]) {
        const departure = await this.leave(streamId, connectionId);
        streamIds.delete(streamId);
        if (departure) this.announce?.([departure], NODE_LOST_REASON);
        else this.mirror.remove(streamId, connectionId);
      }
      this.orphans.delete(connectionId);
    }
  }

  private async snapshots(rooms: Array<[string, Map<string, string>]>): Promise<RoomSnapshot[]> {
    const stored = rooms.map(([streamId, hash]) => membersOf(hash, streamId, hash.get('id') as string));
    const remote = stored.flat().filter((m) => !this.mirror.hasSession(m.sessionId));
    const counters =
      remote.length > 0 ? await this.node.commands.hmget(this.node.keys.counters, ...remote.map((m) => m.sessionId)) : [];
    const countersOf = new Map(remote.map((m, i) => [m.sessionId, parseCounters(counters[i])]));
    const now = Date.now();
    return rooms.map(([streamId, hash], i) => {
      const members = stored[i].map((m) => {
        const local = this.mirror.session(m.sessionId);
        if (local) return local;
        const c = countersOf.get(m.sessionId);
        return c ? { ...m, ...c } : m;
      });
      // copies of remote members point at each other, as live members do
      if (members.length === 2) {
        if (!this.mirror.hasSession(members[0].sessionId)) members[0].peer = members[1];
        if (!this.mirror.hasSession(members[1].sessionId)) members[1].peer = members[0];
      }
      return snapshotOf(hash, streamId, members, now);
    });
  }
}
