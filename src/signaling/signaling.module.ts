import { Module } from '@nestjs/common';
import { JoinAuthorizer } from './auth/join-authorizer';
import { JwtJoinAuthorizer } from './auth/jwt-join-authorizer';
import { ConnectionAdmission } from './connections/connection-admission.service';
import { ConnectionRegistry } from './connections/connection-registry.service';
import { LivenessProbe } from './connections/liveness-probe.service';
import { SignalingEvents } from './events/signaling-events.service';
import { HeartbeatService } from './heartbeat.service';
import { IceServerConfigService } from './ice/ice-server-config.service';
import { LocalSignalingRelay } from './relay/local-signaling-relay';
import { SignalingRelay } from './relay/signaling-relay';
import { InMemoryRoomRegistry } from './rooms/in-memory-room-registry';
import { RoomRegistry } from './rooms/room-registry';
import { SignalingExceptionFilter } from './signaling-exception.filter';
import { SignalingGateway } from './signaling.gateway';
import { ConfigurableSignalingModule, SIGNALING_MODULE_OPTIONS, SIGNALING_OPTIONS } from './signaling.module-definition';
import type { SignalingModuleOptions } from './signaling-options.interface';
import { resolveSignalingOptions } from './signaling-options';
import { SignalingService } from './signaling.service';
import { SignalingStats } from './signaling-stats.service';

/**
 * The Ant Media-compatible P2P signaling server as a Nest module:
 * `SignalingModule.forRoot({ path: '/WebRTCAppEE/websocket' })` or `forRootAsync({ useFactory })`.
 * The host app must use the WsAdapter from `createSignalingWsAdapter(app)`.
 */
@Module({
  providers: [
    {
      provide: SIGNALING_OPTIONS,
      useFactory: (options: SignalingModuleOptions) => resolveSignalingOptions(options),
      inject: [SIGNALING_MODULE_OPTIONS],
    },
    ConnectionRegistry,
    ConnectionAdmission,
    { provide: JoinAuthorizer, useClass: JwtJoinAuthorizer },
    { provide: RoomRegistry, useClass: InMemoryRoomRegistry },
    { provide: SignalingRelay, useClass: LocalSignalingRelay },
    SignalingEvents,
    SignalingStats,
    IceServerConfigService,
    LivenessProbe,
    SignalingService,
    HeartbeatService,
    SignalingExceptionFilter,
    SignalingGateway,
  ],
  exports: [SIGNALING_OPTIONS, ConnectionRegistry, JoinAuthorizer, RoomRegistry, SignalingRelay, SignalingEvents, SignalingStats, SignalingService],
})
export class SignalingModule extends ConfigurableSignalingModule {}
