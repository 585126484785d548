import { ConfigurableModuleBuilder, type Provider, type Type } from '@nestjs/common';
import { JoinAuthorizer } from './auth/join-authorizer';
import { SignalingRelay } from './relay/signaling-relay';
import { RoomRegistry } from './rooms/room-registry';
import type { SignalingModuleOptions } from './signaling-options.interface';

/** Static choices of forRoot/forRootAsync (known before the options are). */
export interface SignalingModuleExtras {
  /** Register the module globally. Default false. */
  isGlobal?: boolean;
  /** Replaces the JWT join authoriser (for example a check against the host's own users). */
  joinAuthorizer?: Type<JoinAuthorizer>;
  /** Replaces the in-memory room registry (for example a shared one for several nodes). */
  roomRegistry?: Type<RoomRegistry>;
  /** Replaces the local relay (for example one that reaches other nodes). */
  relay?: Type<SignalingRelay>;
}

export const {
  ConfigurableModuleClass: ConfigurableSignalingModule,
  MODULE_OPTIONS_TOKEN: SIGNALING_MODULE_OPTIONS,
  OPTIONS_TYPE: SIGNALING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: SIGNALING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SignalingModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createSignalingOptions')
  .setExtras<SignalingModuleExtras>({ isGlobal: false }, (definition, extras) => {
    // Providers of the dynamic module come after the @Module ones and replace them.
    const overrides: Provider[] = [];
    if (extras.joinAuthorizer) overrides.push({ provide: JoinAuthorizer, useClass: extras.joinAuthorizer });
    if (extras.roomRegistry) overrides.push({ provide: RoomRegistry, useClass: extras.roomRegistry });
    if (extras.relay) overrides.push({ provide: SignalingRelay, useClass: extras.relay });
    return { ...definition, global: extras.isGlobal, providers: [...(definition.providers ?? []), ...overrides] };
  })
  .build();

/** Injection token of the resolved options (defaults applied, validated). */
export const SIGNALING_OPTIONS = Symbol('SIGNALING_OPTIONS');
