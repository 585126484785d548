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
export type { KickOptions } from './signaling/signaling.service';
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

// History (TypeORM) and the REST admin API
export { PersistenceModule } from './persistence/persistence.module';
export type { PersistenceModuleOptions } from './persistence/persistence-options.interface';
export { databaseOptionsFromEnv, sqliteOptions, HISTORY_ENTITIES } from './persistence/database-options';
export { MIGRATIONS } from './persistence/migrations';
export { HistoryWriter } from './persistence/history-writer.service';
export { HistoryQueryService } from './persistence/history-query.service';
export { RoomRecord } from './persistence/entities/room-record.entity';
export { PeerSession } from './persistence/entities/peer-session.entity';
export { AdminModule } from './admin/admin.module';
export type { AdminModuleOptions } from './admin/admin.module-definition';
export { buildAdminOpenApi, setupAdminSwagger } from './admin/admin-swagger';
export { JoinAuthorizer } from './signaling/auth/join-authorizer';
export type { JoinAttempt } from './signaling/auth/join-authorizer';
export { JwtJoinAuthorizer } from './signaling/auth/jwt-join-authorizer';
export { JwtVerifier } from './signaling/auth/jwt-verifier';
export type { SignalingLimits, JwtAuthOptions } from './signaling/signaling-options.interface';

// Webhooks
export { WebhooksModule } from './webhooks/webhooks.module';
export {
  WEBHOOK_MODULE_OPTIONS,
  WEBHOOK_OPTIONS_TYPE,
  WEBHOOK_ASYNC_OPTIONS_TYPE,
} from './webhooks/webhooks.module-definition';
export { WebhookDispatcher } from './webhooks/webhook-dispatcher.service';
export { WEBHOOK_OPTIONS } from './webhooks/webhook-options.interface';
export type { WebhookModuleOptions, ResolvedWebhookOptions } from './webhooks/webhook-options.interface';
export { WEBHOOK_DEFAULTS, resolveWebhookOptions } from './webhooks/webhook-options';
export type {
  WebhookPayload,
  RoomOpenedPayload,
  PeerJoinedPayload,
  CallStartedPayload,
  PeerLeftPayload,
  RoomClosedPayload,
} from './webhooks/webhook-payload';
export {
  webhookSignature,
  verifyWebhookSignature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  ATTEMPT_HEADER,
} from './webhooks/webhook-signature';
export type { WebhookVerification } from './webhooks/webhook-signature';

// Metrics, health probes, logger
export { MetricsModule } from './metrics/metrics.module';
export { SignalingMetrics } from './metrics/signaling-metrics.service';
export { METRICS_OPTIONS, RELAY_LATENCY_BUCKETS } from './metrics/metrics-options.interface';
export type { MetricsModuleOptions } from './metrics/metrics-options.interface';
export { HealthModule } from './health/health.module';
export { createAppLogger, LOG_FORMATS } from './config/app-logger';
export type { LogFormat } from './config/app-logger';

// Scale-out across nodes on Redis (docs/scale-out.md)
export { RedisSignalingModule } from './redis/redis-signaling.module';
export {
  REDIS_SIGNALING_OPTIONS,
  REDIS_SIGNALING_MODULE_OPTIONS,
  REDIS_SIGNALING_OPTIONS_TYPE,
  REDIS_SIGNALING_ASYNC_OPTIONS_TYPE,
} from './redis/redis-signaling.module-definition';
export type { RedisSignalingOptions, ResolvedRedisSignalingOptions } from './redis/redis-signaling-options';
export { REDIS_SIGNALING_DEFAULTS, resolveRedisSignalingOptions } from './redis/redis-signaling-options';
export { RedisClusterNode } from './redis/redis-cluster-node.service';
export { RedisRoomRegistry, NODE_LOST_REASON } from './redis/redis-room-registry';
export { RedisSignalingRelay } from './redis/redis-signaling-relay';
