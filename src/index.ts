/**
 * The package root: the signaling core only (SignalingModule, its services and seams, events,
 * protocol types, the WebSocket adapter). It loads none of TypeORM, ioredis, prom-client, terminus or
 * Swagger: each optional part has its own entry point (`nest-ams-p2p-signaling/history`, `/admin`,
 * `/redis`, `/webhooks`, `/metrics`, `/health`).
 */
export { SignalingModule } from './signaling/signaling.module';
export {
  SIGNALING_OPTIONS,
  SIGNALING_MODULE_OPTIONS,
  SIGNALING_OPTIONS_TYPE,
  SIGNALING_ASYNC_OPTIONS_TYPE,
} from './signaling/signaling.module-definition';
export type { SignalingModuleExtras } from './signaling/signaling.module-definition';
export type {
  SignalingModuleOptions,
  ResolvedSignalingOptions,
  TurnServerOptions,
} from './signaling/signaling-options.interface';
export { SIGNALING_DEFAULTS, resolveSignalingOptions } from './signaling/signaling-options';
export { createSignalingWsAdapter } from './signaling/signaling-ws-adapter';
export { SignalingGateway } from './signaling/signaling.gateway';
export { SignalingService } from './signaling/signaling.service';
export {
  CLOSE_GOING_AWAY,
  CLOSE_KICKED,
  CLOSE_POLICY_VIOLATION,
  CLOSE_SEND_BUFFER_FULL,
  CLOSE_SERVICE_RESTART,
} from './signaling/connections/close-codes';
export type { KickOptions } from './signaling/kick-options.interface';
export { SignalingEvents } from './signaling/events/signaling-events.service';
export { SignalingEventType } from './signaling/events/signaling-event';
export type { SignalingEvent, SignalingEventListener } from './signaling/events/signaling-event';
export { SignalingStats } from './signaling/signaling-stats.service';
export { RoomRegistry } from './signaling/rooms/room-registry';
export type { JoinOutcome, Departure } from './signaling/rooms/room-registry';
export type { RoomMember, RoomSnapshot, PeerIdentity } from './signaling/rooms/room-member';
export { InMemoryRoomRegistry } from './signaling/rooms/in-memory-room-registry';
export { SignalingRelay } from './signaling/relay/signaling-relay';
export type { KickHandler } from './signaling/relay/signaling-relay';
export { LocalSignalingRelay } from './signaling/relay/local-signaling-relay';
export { ConnectionRegistry } from './signaling/connections/connection-registry.service';
export { PeerConnection } from './signaling/connections/peer-connection';
export { createTurnCredentials } from './signaling/ice/turn-credentials';
export type { TurnCredentials } from './signaling/ice/turn-credentials';
export * from './signaling/protocol';

export { JoinAuthorizer } from './signaling/auth/join-authorizer';
export type { JoinAttempt } from './signaling/auth/join-authorizer';
export { JwtJoinAuthorizer } from './signaling/auth/jwt-join-authorizer';
export { JwtVerifier } from './signaling/auth/jwt-verifier';
export type { SignalingLimits, JwtAuthOptions } from './signaling/signaling-options.interface';
