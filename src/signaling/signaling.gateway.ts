import { Inject, Logger, UseFilters } from '@nestjs/common';
import {
  OnGatewayConnection,
  OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { CLOSE_POLICY_VIOLATION } from './connections/close-codes';
import { ConnectionAdmission } from './connections/connection-admission.service';
import { RateDecision } from './connections/message-rate-limiter';
import { PEER_CONNECTION, type PeerConnection } from './connections/peer-connection';
import { FRAME_ROUTER, messageHandlers, type FrameRouter } from './frame-router';
import { IceServerConfigService } from './ice/ice-server-config.service';
import { logSafe, logSafeMessage } from './log-safe';
import { ErrorDefinition } from './protocol/error-definition.enum';
import { FrameValidator } from './protocol/frame-validator';
import type { InboundFrame } from './protocol/inbound-frames';
import { LeaveReason } from './protocol/leave-reason.enum';
import {
  PONG_FRAME,
  errorFrame,
  peerMessageFrame,
  takeCandidateFrame,
  takeConfigurationFrame,
} from './protocol/outbound-messages';
import { ProtocolError } from './protocol/protocol-error';
import { RawHandlerArguments } from './raw-handler-arguments.decorator';
import { InboundCommand } from './protocol/signaling-command.enum';
import { INVALID_FRAME_EVENT, UNKNOWN_COMMAND_EVENT } from './protocol/signaling-message-parser';
import { SignalingRelay } from './relay/signaling-relay';
import type { RoomMember } from './rooms/room-member';
import { RoomRegistry } from './rooms/room-registry';
import { SignalingExceptionFilter } from './signaling-exception.filter';
import { SIGNALING_OPTIONS } from './signaling.module-definition';
import type { ResolvedSignalingOptions } from './signaling-options.interface';
import { SignalingService } from './signaling.service';
import { SignalingStats } from './signaling-stats.service';

type SignalingSocket = WebSocket & { [PEER_CONNECTION]: PeerConnection; [FRAME_ROUTER]?: FrameRouter };

/**
 * The Ant Media P2P protocol over WebSocket (docs/ams-p2p-protocol.md). Frames are routed here by
 * `command` through the WsAdapter's `messageParser` (signalingMessageParser); every frame reaches
 * exactly one handler, and one socket's handlers run in the order its frames arrived.
 * Each handler first admits the frame (heartbeat mark, rate limit), then works through the
 * connection's `run`, which keeps asynchronous commands (join, leave) in order with the rest.
 * Handlers take the adapter's `(socket, frame)` directly (RawHandlerArguments: no per-frame pipes).
 * With SignalingWsAdapter, the gateway routes each socket's frames itself (`routeFrame`, FRAME_ROUTER)
 * to the same handlers, without Nest's per-frame context; with the stock WsAdapter, Nest routes them
 * by `@SubscribeMessage`.
 * WebSocket ping and pong control frames are admitted like frames (`autoPong` is off: the gateway
 * answers pings itself, through the connection's output cap).
 */
@WebSocketGateway()
@UseFilters(SignalingExceptionFilter)
@RawHandlerArguments()
export class SignalingGateway implements OnGatewayConnection, OnGatewayDisconnect, FrameRouter {
  private readonly logger = new Logger(SignalingGateway.name);
  private readonly validator: FrameValidator;
  /** Listeners shared by every socket (`this` is the socket): no closure per connection. */
  private readonly onControlPing: (this: WebSocket, data: Buffer) => void;
  private readonly onControlPong: (this: WebSocket) => void;
  private readonly onSocketError: (this: WebSocket, error: Error) => void;
  /** PeerConnection.reportError of every connection (`this` is the connection). */
  private readonly reportConnectionError: (this: PeerConnection, error: unknown) => void;

  constructor(
    @Inject(SIGNALING_OPTIONS) options: ResolvedSignalingOptions,
    private readonly signaling: SignalingService,
    private readonly rooms: RoomRegistry,
    private readonly relay: SignalingRelay,
    private readonly iceServers: IceServerConfigService,
    private readonly stats: SignalingStats,
    private readonly admission: ConnectionAdmission,
    private readonly errors: SignalingExceptionFilter,
  ) {
    // The path and limits come from the module options, which forRootAsync only knows at run
    // time: apply them before Nest connects the gateway (at app init, after construction).
    WebSocketGateway({
      path: options.path,
      maxPayload: options.maxFrameBytes,
      verifyClient: admission.verifyClient,
      autoPong: false,
    })(SignalingGateway);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const gateway = this;
    this.onControlPing = function (data) {
      gateway.admit(this as SignalingSocket)?.pong(data);
    };
    this.onControlPong = function () {
      const connection = gateway.admit(this as SignalingSocket);
      if (connection) connection.lastPongAt = connection.lastActivityAt;
    };
    this.onSocketError = function (error) {
      gateway.logger.debug(`connection ${(this as SignalingSocket)[PEER_CONNECTION].id}: ${logSafeMessage(error)}`);
    };
    this.reportConnectionError = function (error) {
      gateway.errors.report(this.socket, error);
    };
    this.validator = new FrameValidator({ maxStreamIdLength: options.maxStreamIdLength, ...options.limits });
  }

  handleConnection(socket: SignalingSocket, request: IncomingMessage): void {
    const userAgent = request.headers['user-agent'] ?? '';
    const connection = this.signaling.connect(socket, this.admission.clientAddress(request), userAgent);
    socket[PEER_CONNECTION] = connection;
    socket[FRAME_ROUTER] = this;
    connection.reportError = this.reportConnectionError;
    // A socket error here is the client's doing (a frame over the size limit, invalid UTF-8): the
    // socket closes and is cleaned up. Logged at debug instead of the adapter's error log with a
    // stack trace, which any client could otherwise fill.
    socket.removeAllListeners('error');
    socket.on('error', this.onSocketError);
    socket.on('ping', this.onControlPing);
    socket.on('pong', this.onControlPong);
  }

  handleDisconnect(socket: SignalingSocket): void {
    const connection = socket[PEER_CONNECTION];
    if (connection) void this.signaling.disconnect(connection, LeaveReason.Disconnect);
  }

  /**
   * Every frame of a socket this gateway claimed (SignalingWsAdapter): the handler `@SubscribeMessage`
   * maps its event to (FRAME_ROUTES, read from those decorators); an event without one (none: the
   * parser routes every frame to one of them) is dropped, as Nest drops it.
   */
  routeFrame(socket: WebSocket, event: string, data: unknown): void {
    const method = FRAME_ROUTES.get(event);
    if (method !== undefined) (this as unknown as Record<string, FrameHandler>)[method](socket as SignalingSocket, data);
  }

  @SubscribeMessage(InboundCommand.Ping)
  onPing(socket: SignalingSocket): void {
    this.admit(socket)?.run(this.pong, this, undefined);
  }

  @SubscribeMessage(InboundCommand.GetIceServerConfig)
  onGetIceServerConfig(socket: SignalingSocket, frame: InboundFrame): void {
    this.admit(socket)?.run(this.iceServerConfig, this, frame);
  }

  @SubscribeMessage(InboundCommand.Join)
  onJoin(socket: SignalingSocket, frame: InboundFrame): void {
    this.admit(socket)?.run(this.join, this, frame);
  }

  @SubscribeMessage(InboundCommand.Leave)
  onLeave(socket: SignalingSocket, frame: InboundFrame): void {
    this.admit(socket)?.run(this.leave, this, frame);
  }

  @SubscribeMessage(InboundCommand.TakeConfiguration)
  onTakeConfiguration(socket: SignalingSocket, frame: InboundFrame): void {
    this.admit(socket)?.run(this.takeConfiguration, this, frame);
  }

  @SubscribeMessage(InboundCommand.TakeCandidate)
  onTakeCandidate(socket: SignalingSocket, frame: InboundFrame): void {
    this.admit(socket)?.run(this.takeCandidate, this, frame);
  }

  @SubscribeMessage(InboundCommand.PeerMessageCommand)
  onPeerMessage(socket: SignalingSocket, frame: InboundFrame): void {
    this.admit(socket)?.run(this.peerMessage, this, frame);
  }

  @SubscribeMessage(INVALID_FRAME_EVENT)
  onInvalidFrame(socket: SignalingSocket, reason: string): void {
    this.admit(socket)?.run(this.invalidFrame, this, reason);
  }

  @SubscribeMessage(UNKNOWN_COMMAND_EVENT)
  onUnknownCommand(socket: SignalingSocket, frame: InboundFrame): void {
    if (!this.admit(socket)) return;
    this.stats.unknownCommands++;
    this.logger.debug(`ignored unknown command "${logSafe(frame.command, 64)}"`);
  }

  /**
   * Every frame (and ping or pong control frame) first: marks the connection alive and applies its
   * rate limit. Returns the connection when the frame is to be handled, undefined when it is dropped.
   */
  private admit(socket: SignalingSocket): PeerConnection | undefined {
    const connection = socket[PEER_CONNECTION];
    const now = Date.now();
    connection.markAlive(now);
    const decision = connection.limiter.take(now);
    if (decision === RateDecision.Admit) return connection;
    if (decision === RateDecision.Drop) return undefined;
    this.stats.countError(ErrorDefinition.RateLimitExceeded);
    if (decision === RateDecision.DropAndTell) {
      connection.send(errorFrame(ErrorDefinition.RateLimitExceeded));
    } else if (!connection.closing) {
      this.logger.warn(`closing connection ${connection.id} from ${logSafe(connection.remoteAddress, 64)}: sustained rate limit excess`);
      void this.signaling.close(connection, LeaveReason.RateLimited, CLOSE_POLICY_VIOLATION, 'rate limit exceeded');
    }
    return undefined;
  }

  private pong(connection: PeerConnection): void {
    connection.send(PONG_FRAME);
  }

  /** Synchronous unless a token in the frame has to be checked (see IceServerConfigService.answer). */
  private iceServerConfig(connection: PeerConnection, frame: InboundFrame): void | Promise<void> {
    const answer = this.iceServers.answer(connection, frame);
    if (answer instanceof Promise) {
      return answer.then((reply) => {
        if (reply) connection.send(reply);
      });
    }
    if (answer) connection.send(answer);
  }

  private invalidFrame(_connection: PeerConnection, reason: string): never {
    throw new ProtocolError(ErrorDefinition.InvalidMessage, undefined, reason);
  }

  private join(connection: PeerConnection, frame: InboundFrame): Promise<void> {
    return this.signaling.join(connection, this.validator.join(frame));
  }

  private leave(connection: PeerConnection, frame: InboundFrame): Promise<void> {
    return this.signaling.leave(connection, this.validator.streamId(frame));
  }

  private takeConfiguration(connection: PeerConnection, frame: InboundFrame): void {
    const started = this.stats.relayLatencyObserver && performance.now();
    const { streamId, type, sdp } = this.validator.configuration(frame);
    this.forward(this.sender(connection, streamId), takeConfigurationFrame(streamId, type, sdp), started);
    this.stats.relayed.takeConfiguration++;
  }

  private takeCandidate(connection: PeerConnection, frame: InboundFrame): void {
    const started = this.stats.relayLatencyObserver && performance.now();
    const { streamId, label, id, candidate } = this.validator.candidate(frame);
    this.forward(this.sender(connection, streamId), takeCandidateFrame(streamId, label, id, candidate), started);
    this.stats.relayed.takeCandidate++;
  }

  private peerMessage(connection: PeerConnection, frame: InboundFrame): void {
    const started = this.stats.relayLatencyObserver && performance.now();
    const { streamId, definition, data } = this.validator.peerMessage(frame);
    this.forward(this.sender(connection, streamId), peerMessageFrame(streamId, definition, data), started);
    this.stats.relayed.peerMessageCommand++;
  }

  /** The sender's membership, when it has a peer to talk to. */
  private sender(connection: PeerConnection, streamId: string): RoomMember & { peer: RoomMember } {
    const member = this.rooms.membership(streamId, connection.id);
    if (!member?.peer) throw new ProtocolError(ErrorDefinition.NoPeerAssociatedBefore, streamId);
    return member as RoomMember & { peer: RoomMember };
  }

  /** `started`: performance.now() at the handler's start when latency is observed, else undefined. */
  private forward(sender: RoomMember & { peer: RoomMember }, frame: string, started: number | undefined): void {
    sender.messagesRelayed++;
    sender.bytesRelayed += Buffer.byteLength(frame);
    this.relay.deliverTo(sender.peer, frame);
    if (started !== undefined) this.stats.relayLatencyObserver?.((performance.now() - started) / 1000);
  }
}

type FrameHandler = (socket: SignalingSocket, data: unknown) => void;

/** Event → handler method of SignalingGateway, as its `@SubscribeMessage` decorators map them. */
const FRAME_ROUTES: ReadonlyMap<string, string> = new Map(messageHandlers(SignalingGateway.prototype));
