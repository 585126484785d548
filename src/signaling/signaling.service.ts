import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { JoinAuthorizer } from './auth/join-authorizer';
import { CLOSE_GOING_AWAY, CLOSE_KICKED, CLOSE_SEND_BUFFER_FULL } from './connections/close-codes';
import { ConnectionRegistry } from './connections/connection-registry.service';
import { LivenessProbe } from './connections/liveness-probe.service';
import { logSafe, logSafeMessage, logSafeStack } from './log-safe';
import { MessageRateLimiter } from './connections/message-rate-limiter';
import { PeerConnection } from './connections/peer-connection';
import { SignalingEventType } from './events/signaling-event';
import { SignalingEvents } from './events/signaling-events.service';
import { ErrorDefinition } from './protocol/error-definition.enum';
import type { KickOptions } from './kick-options.interface';
import type { JoinRequest } from './protocol/inbound-frames';
import { LeaveReason } from './protocol/leave-reason.enum';
import { joinedFrame, leavedFrame, startFrame, stopFrame } from './protocol/outbound-messages';
import { ProtocolError } from './protocol/protocol-error';
import { SignalingRelay } from './relay/signaling-relay';
import type { PeerIdentity, RoomMember } from './rooms/room-member';
import { Departure, JoinOutcome, RoomRegistry } from './rooms/room-registry';
import { SIGNALING_OPTIONS } from './signaling.module-definition';
import type { ResolvedSignalingOptions } from './signaling-options.interface';
import { SignalingStats } from './signaling-stats.service';

/** The join mode of a peer that only receives (Ant Media's `mode: "play"`). */
const PLAY_MODE = 'play';

/**
 * Peer lifecycle: join, leave, and the one idempotent clean-up that every exit path of a
 * connection (close, heartbeat timeout, operator removal, shutdown) goes through. Used by the
 * gateway and by the admin API; talks to rooms and other peers only through RoomRegistry and
 * SignalingRelay, so a shared implementation of those works unchanged.
 */
@Injectable()
export class SignalingService implements OnModuleDestroy {
  private readonly logger = new Logger(SignalingService.name);
  private shuttingDown = false;

  constructor(
    private readonly rooms: RoomRegistry,
    private readonly relay: SignalingRelay,
    private readonly connections: ConnectionRegistry,
    private readonly events: SignalingEvents,
    private readonly authorizer: JoinAuthorizer,
    private readonly liveness: LivenessProbe,
    private readonly stats: SignalingStats,
    @Inject(SIGNALING_OPTIONS) private readonly options: ResolvedSignalingOptions,
  ) {
    // A shared registry may remove members itself (a node that stopped); a shared relay may bring
    // kicks of this node's peers from an operator on another node. Both end up here.
    rooms.handleDepartures((departures, reason) => {
      for (const departure of departures) this.announce(departure, reason);
    });
    relay.handleKicks((sessionId, kickOptions) => this.kick(sessionId, kickOptions));
    relay.handleProbes((sessionId) => this.probeSession(sessionId));
  }

  connect(socket: WebSocket, remoteAddress: string, userAgent: string): PeerConnection {
    const { messagesPerSecond, messageBurst, maxDroppedMessages, maxBufferedBytes } = this.options.limits;
    const limiter = new MessageRateLimiter(messagesPerSecond, messageBurst, maxDroppedMessages, Date.now());
    const connection = new PeerConnection(
      randomUUID(),
      socket,
      remoteAddress,
      userAgent.slice(0, 512),
      limiter,
      maxBufferedBytes,
      this.rooms,
    );
    connection.onOverflow = this.overflowed;
    if (this.shuttingDown) {
      connection.beginClose(LeaveReason.Shutdown);
      connection.closeSocket(CLOSE_GOING_AWAY, 'server shutting down');
      return connection;
    }
    this.connections.add(connection);
    this.logger.debug(`connection ${connection.id} opened from ${logSafe(remoteAddress, 64)}`);
    return connection;
  }

  async join(connection: PeerConnection, request: JoinRequest): Promise<void> {
    if (connection.closing) return;
    const { streamId } = request;
    const joined = this.rooms.roomsOf(connection.id);
    if (!joined.has(streamId) && joined.size >= this.options.limits.maxRoomsPerConnection) {
      throw new ProtocolError(ErrorDefinition.TooManyRooms, streamId);
    }
    if (!(await this.authorize(connection, request))) {
      throw new ProtocolError(ErrorDefinition.UnauthorizedAccess, streamId);
    }
    if (connection.closing) return;
    const peer: PeerIdentity = {
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      userAgent: connection.userAgent,
      mode: request.mode,
    };
    let outcome = await this.rooms.join(streamId, peer);
    if (outcome.status === 'already-member' && outcome.member.peer) {
      // A re-join by a member with a partner (the iOS SDK's ICE recovery): renegotiate. This session
      // ends (reason `rejoin`, the partner receives `stop`) and a new one starts below.
      const departure = await this.rooms.leave(streamId, connection.id, outcome.member.sessionId);
      if (departure) this.announce(departure, LeaveReason.Rejoin);
      if (connection.closing) return;
      outcome = await this.rooms.join(streamId, peer);
    }
    if (outcome.status === 'full' && (await this.unlessClosing(connection, this.freeUnresponsivePlace(streamId)))) {
      if (connection.closing) return;
      outcome = await this.rooms.join(streamId, peer);
    }
    if (outcome.status === 'full') throw new ProtocolError(ErrorDefinition.NoSpaceForNewPeer, streamId);
    const joinerOffers = outcome.status === 'joined' && this.started(outcome);
    connection.send(joinedFrame(streamId));
    if (joinerOffers) connection.send(startFrame(streamId));
  }

  /**
   * Announces a new membership: events, and `start` to whichever peer makes the offer. That is the
   * waiting peer, unless it joined to play only (it has nothing to send) and the joiner did not: then
   * the joiner offers. Returns whether the joiner is to receive `start` (after its `joined`).
   */
  private started(outcome: Extract<JoinOutcome, { status: 'joined' }>): boolean {
    const { member, waiting, room } = outcome;
    const { streamId, joinedAt: at } = member;
    if (outcome.roomOpened) this.events.emit({ type: SignalingEventType.RoomOpened, at, streamId, room });
    this.events.emit({ type: SignalingEventType.PeerJoined, at, member });
    this.logger.debug(`connection ${member.connectionId} joined ${logSafe(streamId, 128)}`);
    if (!waiting) return false;
    const joinerOffers = waiting.mode === PLAY_MODE && member.mode !== PLAY_MODE;
    if (!joinerOffers) this.relay.deliverTo(waiting, startFrame(streamId));
    this.events.emit({
      type: SignalingEventType.CallStarted,
      at,
      streamId,
      room,
      offerer: joinerOffers ? member : waiting,
      answerer: joinerOffers ? waiting : member,
    });
    return joinerOffers;
  }

  /**
   * For a `join` that found its room full: checks that the members are alive (LivenessProbe, or the
   * member's node) and removes those that are not, reason `timeout` (their partners receive `stop`).
   * Resolves whether a place may now be free.
   */
  private async freeUnresponsivePlace(streamId: string): Promise<boolean> {
    const room = await this.rooms.getRoom(streamId);
    if (!room || room.members.length < RoomRegistry.CAPACITY) return true;
    const removed = await Promise.all(room.members.map((member) => this.removeIfUnresponsive(member, true)));
    return removed.includes(true);
  }

  /**
   * `work`'s result, or false as soon as `connection` starts closing: its clean-up waits behind the
   * command in flight, which must not hold its rooms for the length of a probe.
   */
  private unlessClosing(connection: PeerConnection, work: Promise<boolean>): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      connection.onClosing = () => resolve(false);
      work.then(
        (value) => {
          connection.onClosing = undefined;
          resolve(value);
        },
        (error: unknown) => {
          connection.onClosing = undefined;
          reject(error);
        },
      );
    });
  }

  /** Runs the probe of a session of this node that another node asked for (see SignalingRelay.forwardProbe). */
  private async probeSession(sessionId: string): Promise<boolean> {
    const member = await this.rooms.findSession(sessionId);
    return member ? this.removeIfUnresponsive(member, false) : true;
  }

  /**
   * Removes `member` unless it is alive; resolves whether it was removed. A member on another node is
   * probed by its node when `forward`; a membership whose socket is gone (closing here, or its node has
   * stopped) is removed without a probe. Waits for no other connection's commands: the membership is
   * removed by session, and the socket's own clean-up finds it gone.
   */
  private async removeIfUnresponsive(member: RoomMember, forward: boolean): Promise<boolean> {
    const connection = this.connections.get(member.connectionId);
    let reason = LeaveReason.Timeout;
    if (connection) {
      if (await this.liveness.isAlive(connection)) return false;
      if (connection.closeReason) {
        reason = connection.closeReason;
      } else {
        this.logger.log(
          `connection ${connection.id} did not answer a liveness probe for a join of ${logSafe(member.streamId, 128)}: dropped`,
        );
        void this.close(connection, LeaveReason.Timeout);
      }
    } else if (forward) {
      const forwarded = this.relay.forwardProbe(member);
      const removed = forwarded && (await forwarded);
      if (removed !== undefined) return removed;
    }
    const departure = await this.rooms.leave(member.streamId, member.connectionId, member.sessionId);
    if (departure) this.announce(departure, reason);
    return true;
  }

  async leave(connection: PeerConnection, streamId: string): Promise<void> {
    const departure = await this.rooms.leave(streamId, connection.id);
    if (!departure) throw new ProtocolError(ErrorDefinition.NoPeerAssociatedBefore, streamId);
    this.announce(departure, LeaveReason.Leave);
    connection.send(leavedFrame(streamId));
  }

  /**
   * The clean-up of a connection: leaves every room (the remaining peers receive `stop`) and
   * forgets the connection. Idempotent: the first exit path to call it sets the reason; later
   * calls return at once. Runs after the connection's commands in flight.
   */
  disconnect(connection: PeerConnection, reason: LeaveReason): Promise<void> {
    if (!connection.beginClose(reason)) return connection.cleanup ?? Promise.resolve();
    this.stats.countClosed(reason);
    connection.cleanup = Promise.resolve(
      connection.serial(async () => {
        try {
          for (const departure of await this.rooms.leaveAll(connection.id)) this.announce(departure, reason);
        } finally {
          this.connections.remove(connection);
          this.logger.debug(`connection ${connection.id} closed (${reason})`);
        }
      }),
    );
    return connection.cleanup;
  }

  /**
   * Ends a connection from the server's side: the clean-up (`disconnect`) with `reason`, and the
   * socket closed with `code` (close-codes.ts), or terminated without a close frame when `code` is
   * omitted (a socket that stopped answering). Resolves when the clean-up is done.
   */
  close(connection: PeerConnection, reason: LeaveReason, code?: number, message?: string): Promise<void> {
    const cleanup = this.disconnect(connection, reason);
    connection.closeSocket(code, message);
    return cleanup;
  }

  /** PeerConnection.onOverflow: the client stopped reading what it is sent. */
  private readonly overflowed = (connection: PeerConnection): void => {
    if (connection.closing) return;
    this.logger.warn(
      `closing connection ${connection.id} from ${logSafe(connection.remoteAddress, 64)}: more than ${this.options.limits.maxBufferedBytes} bytes wait to be sent (the client does not read)`,
    );
    void this.close(connection, LeaveReason.SlowConsumer, CLOSE_SEND_BUFFER_FULL, 'send buffer full');
  };

  /**
   * Operator removal of one membership: the peer receives `stop` then `leaved` (reason `kicked`),
   * the other peer receives `stop`. Returns false when the session is unknown or already ended.
   */
  async kick(sessionId: string, options: KickOptions = {}): Promise<boolean> {
    const member = await this.rooms.findSession(sessionId);
    if (!member) return false;
    const connection = this.connections.get(member.connectionId);
    if (!connection) {
      // The socket is on another node: that node runs the kick (frames, its local state, the close).
      const forwarded = this.relay.forwardKick(member, options);
      const removed = forwarded && (await forwarded);
      if (removed !== undefined) return removed;
    }
    const removeMember = async (): Promise<boolean> => {
      const departure = await this.rooms.leave(member.streamId, member.connectionId, sessionId);
      if (!departure) return false;
      this.relay.deliver(member.connectionId, stopFrame(member.streamId));
      this.relay.deliver(member.connectionId, leavedFrame(member.streamId, LeaveReason.Kicked));
      this.announce(departure, LeaveReason.Kicked);
      return true;
    };
    const removed = await (connection ? connection.serial(removeMember) : removeMember());
    if (removed && options.disconnect && connection) {
      await this.close(connection, LeaveReason.Kicked, CLOSE_KICKED, 'removed by operator');
    }
    return removed;
  }

  /** Operator removal of every peer of a room. Returns how many were removed. */
  async kickRoom(streamId: string, options: KickOptions = {}): Promise<number> {
    const room = await this.rooms.getRoom(streamId);
    if (!room) return 0;
    let removed = 0;
    for (const member of room.members) if (await this.kick(member.sessionId, options)) removed++;
    return removed;
  }

  /**
   * Graceful shutdown, first of the shutdown hooks: every connection leaves its rooms with reason
   * `shutdown` (its peers receive `stop`) and is closed with 1001, before history is flushed
   * (beforeApplicationShutdown) and the database closes (onApplicationShutdown).
   */
  async onModuleDestroy(): Promise<void> {
    this.shuttingDown = true;
    const open = [...this.connections.values()];
    if (open.length > 0) this.logger.log(`closing ${open.length} connection(s) for shutdown`);
    for (const connection of open) {
      await this.close(connection, LeaveReason.Shutdown, CLOSE_GOING_AWAY, 'server shutting down');
    }
  }

  private async authorize(connection: PeerConnection, request: JoinRequest): Promise<boolean> {
    try {
      return await this.authorizer.authorize({
        streamId: request.streamId,
        token: request.token,
        mode: request.mode,
        connectionId: connection.id,
        remoteAddress: connection.remoteAddress,
        userAgent: connection.userAgent,
        command: 'join',
      });
    } catch (error) {
      this.logger.error(`join authoriser failed: ${logSafeMessage(error, 500)}`, logSafeStack(error, 500));
      return false;
    }
  }

  private announce(departure: Departure, reason: LeaveReason): void {
    const { member, remaining, room, roomClosed } = departure;
    if (remaining) this.relay.deliverTo(remaining, stopFrame(member.streamId));
    const at = new Date();
    this.events.emit({ type: SignalingEventType.PeerLeft, at, member, reason });
    if (roomClosed) this.events.emit({ type: SignalingEventType.RoomClosed, at, room });
    this.logger.debug(`session ${member.sessionId} left ${logSafe(member.streamId, 128)} (${reason})`);
  }
}
