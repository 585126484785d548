import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { JoinAuthorizer } from './auth/join-authorizer';
import { ConnectionRegistry } from './connections/connection-registry.service';
import { MessageRateLimiter } from './connections/message-rate-limiter';
import { PeerConnection } from './connections/peer-connection';
import { SignalingEventType } from './events/signaling-event';
import { SignalingEvents } from './events/signaling-events.service';
import { ErrorDefinition } from './protocol/error-definition.enum';
import type { JoinRequest } from './protocol/inbound-frames';
import { LeaveReason } from './protocol/leave-reason.enum';
import { joinedFrame, leavedFrame, startFrame, stopFrame } from './protocol/outbound-messages';
import { ProtocolError } from './protocol/protocol-error';
import { SignalingRelay } from './relay/signaling-relay';
import { Departure, RoomRegistry } from './rooms/room-registry';
import { SIGNALING_OPTIONS } from './signaling.module-definition';
import type { ResolvedSignalingOptions } from './signaling-options.interface';

/** WebSocket close code sent to clients when the server shuts down. */
export const CLOSE_GOING_AWAY = 1001;
/** WebSocket close code sent to a client an operator disconnected. */
export const CLOSE_KICKED = 4001;

export interface KickOptions {
  /** Also close the peer's socket (all its rooms end with reason `kicked`). */
  disconnect?: boolean;
}

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
    @Inject(SIGNALING_OPTIONS) private readonly options: ResolvedSignalingOptions,
  ) {
    // A shared registry may remove members itself (a node that stopped); a shared relay may bring
    // kicks of this node's peers from an operator on another node. Both end up here.
    rooms.handleDepartures((departures, reason) => {
      for (const departure of departures) this.announce(departure, reason);
    });
    relay.handleKicks((sessionId, kickOptions) => this.kick(sessionId, kickOptions));
  }

  connect(socket: WebSocket, remoteAddress: string, userAgent: string): PeerConnection {
    const { messagesPerSecond, messageBurst, maxDroppedMessages } = this.options.limits;
    const limiter = new MessageRateLimiter(messagesPerSecond, messageBurst, maxDroppedMessages, Date.now());
    const connection = new PeerConnection(randomUUID(), socket, remoteAddress, userAgent.slice(0, 512), limiter);
    if (this.shuttingDown) {
      connection.closeReason = LeaveReason.Shutdown;
      socket.close(CLOSE_GOING_AWAY, 'server shutting down');
      return connection;
    }
    this.connections.add(connection);
    this.logger.debug(`connection ${connection.id} opened from ${remoteAddress}`);
    return connection;
  }

  async join(connection: PeerConnection, request: JoinRequest): Promise<void> {
    if (connection.closing) return;
    const { streamId } = request;
    if (!connection.rooms.has(streamId) && connection.rooms.size >= this.options.limits.maxRoomsPerConnection) {
      throw new ProtocolError(ErrorDefinition.TooManyRooms, streamId);
    }
    if (!(await this.authorize(connection, request))) {
      throw new ProtocolError(ErrorDefinition.UnauthorizedAccess, streamId);
    }
    if (connection.closing) return;
    const outcome = await this.rooms.join(streamId, {
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      userAgent: connection.userAgent,
      mode: request.mode,
    });
    if (outcome.status === 'full') throw new ProtocolError(ErrorDefinition.NoSpaceForNewPeer, streamId);
    connection.rooms.add(streamId);
    if (outcome.status === 'joined') {
      const at = outcome.member.joinedAt;
      const room = outcome.room;
      if (outcome.roomOpened) this.events.emit({ type: SignalingEventType.RoomOpened, at, streamId, room });
      this.events.emit({ type: SignalingEventType.PeerJoined, at, member: outcome.member });
      if (outcome.waiting) {
        this.relay.deliverTo(outcome.waiting, startFrame(streamId));
        this.events.emit({
          type: SignalingEventType.CallStarted,
          at,
          streamId,
          room,
          offerer: outcome.waiting,
          answerer: outcome.member,
        });
      }
      this.logger.debug(`connection ${connection.id} joined ${streamId}`);
    }
    connection.send(joinedFrame(streamId));
  }

  async leave(connection: PeerConnection, streamId: string): Promise<void> {
    const departure = await this.rooms.leave(streamId, connection.id);
    if (!departure) throw new ProtocolError(ErrorDefinition.NoPeerAssociatedBefore, streamId);
    connection.rooms.delete(streamId);
    this.announce(departure, LeaveReason.Leave);
    connection.send(leavedFrame(streamId));
  }

  /**
   * The clean-up of a connection: leaves every room (the remaining peers receive `stop`) and
   * forgets the connection. Idempotent: the first exit path to call it sets the reason; later
   * calls return at once. Runs after the connection's commands in flight.
   */
  disconnect(connection: PeerConnection, reason: LeaveReason): Promise<void> {
    if (connection.closing) return Promise.resolve();
    connection.closeReason = reason;
    return Promise.resolve(
      connection.serial(async () => {
        try {
          for (const departure of await this.rooms.leaveAll(connection.id)) this.announce(departure, reason);
        } finally {
          connection.rooms.clear();
          this.connections.remove(connection);
          this.logger.debug(`connection ${connection.id} closed (${reason})`);
        }
      }),
    );
  }

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
      connection?.rooms.delete(member.streamId);
      this.relay.deliver(member.connectionId, stopFrame(member.streamId));
      this.relay.deliver(member.connectionId, leavedFrame(member.streamId, LeaveReason.Kicked));
      this.announce(departure, LeaveReason.Kicked);
      return true;
    };
    const removed = await (connection ? connection.serial(removeMember) : removeMember());
    if (removed && options.disconnect && connection) {
      await this.disconnect(connection, LeaveReason.Kicked);
      connection.socket.close(CLOSE_KICKED, 'removed by operator');
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
      await this.disconnect(connection, LeaveReason.Shutdown);
      connection.socket.close(CLOSE_GOING_AWAY, 'server shutting down');
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
      });
    } catch (error) {
      this.logger.error(`join authoriser failed: ${(error as Error).message}`, (error as Error).stack);
      return false;
    }
  }

  private announce(departure: Departure, reason: LeaveReason): void {
    const { member, remaining, room, roomClosed } = departure;
    if (remaining) this.relay.deliverTo(remaining, stopFrame(member.streamId));
    const at = new Date();
    this.events.emit({ type: SignalingEventType.PeerLeft, at, member, reason });
    if (roomClosed) this.events.emit({ type: SignalingEventType.RoomClosed, at, room });
    this.logger.debug(`session ${member.sessionId} left ${member.streamId} (${reason})`);
  }
}
