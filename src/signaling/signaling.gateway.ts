import { Inject, Logger, UseFilters } from '@nestjs/common';
import {
  OnGatewayConnection,
  OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { PeerConnection } from './connections/peer-connection';
import { IceServerConfigService } from './ice/ice-server-config.service';
import { ErrorDefinition } from './protocol/error-definition.enum';
import { FrameValidator } from './protocol/frame-validator';
import type { InboundFrame } from './protocol/inbound-frames';
import { LeaveReason } from './protocol/leave-reason.enum';
import {
  PONG_FRAME,
  peerMessageFrame,
  takeCandidateFrame,
  takeConfigurationFrame,
} from './protocol/outbound-messages';
import { ProtocolError } from './protocol/protocol-error';
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

const CONNECTION = Symbol('peerConnection');
type SignalingSocket = WebSocket & { [CONNECTION]: PeerConnection };

/**
 * The Ant Media P2P protocol over WebSocket (docs/ams-p2p-protocol.md). Frames are routed here by
 * `command` through the WsAdapter's `messageParser` (signalingMessageParser).
 *
 * Handlers take (socket, frame) without parameter decorators on purpose: with none, Nest calls them
 * synchronously on the socket's message event, with no pipe step in between.
 */
@WebSocketGateway()
@UseFilters(SignalingExceptionFilter)
export class SignalingGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(SignalingGateway.name);
  private readonly validator: FrameValidator;

  constructor(
    @Inject(SIGNALING_OPTIONS) options: ResolvedSignalingOptions,
    private readonly signaling: SignalingService,
    private readonly rooms: RoomRegistry,
    private readonly relay: SignalingRelay,
    private readonly iceServers: IceServerConfigService,
    private readonly stats: SignalingStats,
  ) {
    // The path and frame limit come from the module options, which forRootAsync only knows at
    // run time: apply them before Nest connects the gateway (at app init, after construction).
    WebSocketGateway({ path: options.path, maxPayload: options.maxFrameBytes })(SignalingGateway);
    this.validator = new FrameValidator(options.maxStreamIdLength);
  }

  handleConnection(socket: SignalingSocket, request: IncomingMessage): void {
    const userAgent = request.headers['user-agent'] ?? '';
    const connection = this.signaling.connect(socket, request.socket.remoteAddress ?? '', userAgent);
    socket[CONNECTION] = connection;
    const markAlive = (): void => {
      connection.alive = true;
    };
    socket.on('message', markAlive);
    socket.on('pong', markAlive);
  }

  handleDisconnect(socket: SignalingSocket): void {
    const connection = socket[CONNECTION];
    if (connection) void this.signaling.disconnect(connection, LeaveReason.Disconnect);
  }

  @SubscribeMessage(InboundCommand.Ping)
  onPing(socket: SignalingSocket): void {
    socket[CONNECTION].send(PONG_FRAME);
  }

  @SubscribeMessage(InboundCommand.GetIceServerConfig)
  onGetIceServerConfig(socket: SignalingSocket): void {
    const connection = socket[CONNECTION];
    const frame = this.iceServers.frameFor(connection.id);
    if (frame) connection.send(frame);
  }

  @SubscribeMessage(InboundCommand.Join)
  onJoin(socket: SignalingSocket, frame: InboundFrame): unknown {
    return socket[CONNECTION].run(this.join, this, frame);
  }

  @SubscribeMessage(InboundCommand.Leave)
  onLeave(socket: SignalingSocket, frame: InboundFrame): unknown {
    return socket[CONNECTION].run(this.leave, this, frame);
  }

  @SubscribeMessage(InboundCommand.TakeConfiguration)
  onTakeConfiguration(socket: SignalingSocket, frame: InboundFrame): unknown {
    return socket[CONNECTION].run(this.takeConfiguration, this, frame);
  }

  @SubscribeMessage(InboundCommand.TakeCandidate)
  onTakeCandidate(socket: SignalingSocket, frame: InboundFrame): unknown {
    return socket[CONNECTION].run(this.takeCandidate, this, frame);
  }

  @SubscribeMessage(InboundCommand.PeerMessageCommand)
  onPeerMessage(socket: SignalingSocket, frame: InboundFrame): unknown {
    return socket[CONNECTION].run(this.peerMessage, this, frame);
  }

  @SubscribeMessage(INVALID_FRAME_EVENT)
  onInvalidFrame(_socket: SignalingSocket, reason: string): never {
    throw new ProtocolError(ErrorDefinition.InvalidMessage, undefined, reason);
  }

  @SubscribeMessage(UNKNOWN_COMMAND_EVENT)
  onUnknownCommand(_socket: SignalingSocket, frame: InboundFrame): void {
    this.stats.unknownCommands++;
    this.logger.debug(`ignored unknown command "${frame.command.slice(0, 64)}"`);
  }

  private join(connection: PeerConnection, frame: InboundFrame): Promise<void> {
    return this.signaling.join(connection, this.validator.join(frame));
  }

  private leave(connection: PeerConnection, frame: InboundFrame): Promise<void> {
    return this.signaling.leave(connection, this.validator.streamId(frame));
  }

  private takeConfiguration(connection: PeerConnection, frame: InboundFrame): void {
    const { streamId, type, sdp } = this.validator.configuration(frame);
    const sender = this.sender(connection, streamId);
    this.forward(sender, takeConfigurationFrame(streamId, type, sdp));
    this.stats.relayed.takeConfiguration++;
  }

  private takeCandidate(connection: PeerConnection, frame: InboundFrame): void {
    const { streamId, label, id, candidate } = this.validator.candidate(frame);
    const sender = this.sender(connection, streamId);
    this.forward(sender, takeCandidateFrame(streamId, label, id, candidate));
    this.stats.relayed.takeCandidate++;
  }

  private peerMessage(connection: PeerConnection, frame: InboundFrame): void {
    const { streamId, definition, data } = this.validator.peerMessage(frame);
    const sender = this.sender(connection, streamId);
    this.forward(sender, peerMessageFrame(streamId, definition, data));
    this.stats.relayed.peerMessageCommand++;
  }

  /** The sender's membership, when it has a peer to talk to. */
  private sender(connection: PeerConnection, streamId: string): RoomMember & { peer: RoomMember } {
    const member = this.rooms.membership(streamId, connection.id);
    if (!member?.peer) throw new ProtocolError(ErrorDefinition.NoPeerAssociatedBefore, streamId);
    return member as RoomMember & { peer: RoomMember };
  }

  private forward(sender: RoomMember & { peer: RoomMember }, frame: string): void {
    sender.messagesRelayed++;
    sender.bytesRelayed += Buffer.byteLength(frame);
    this.relay.deliver(sender.peer.connectionId, frame);
  }
}
