/**
 * The signaling module as a host application uses it: imported from the package's public barrel
 * (`src/index.ts`, what `import … from 'nest-ams-p2p-signaling'` resolves to), in the host's own
 * module, with the host creating the app and the WebSocket adapter.
 */
import {
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  Inject,
  Injectable,
  type INestApplication,
  Module,
  type Provider,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import {
  SIGNALING_OPTIONS,
  SignalingModule,
  SignalingService,
  createSignalingWsAdapter,
  signalingMessageParser,
  type ResolvedSignalingOptions,
  type SignalingModuleOptions,
} from '../../src';
import { WsTestClient } from '../support/ws-test-client';

const CONSUMER_CONFIG = Symbol('CONSUMER_CONFIG');

interface ConsumerConfig {
  readonly signalingPath: string;
  readonly streamIdLimit: number;
}

/** A host's configuration provider (as a ConfigService would be). */
@Injectable()
class ConsumerConfigService {
  constructor(@Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig) {}
  signaling(): SignalingModuleOptions {
    return { path: this.config.signalingPath, maxStreamIdLength: this.config.streamIdLimit };
  }
}

@Module({})
class ConsumerConfigModule {
  static register(config: ConsumerConfig): DynamicModule {
    return {
      module: ConsumerConfigModule,
      providers: [{ provide: CONSUMER_CONFIG, useValue: config }, ConsumerConfigService],
      exports: [ConsumerConfigService],
    };
  }
}

/** A host service that uses what the module exports. */
@Injectable()
class ConsumerService {
  constructor(
    readonly signaling: SignalingService,
    @Inject(SIGNALING_OPTIONS) readonly options: ResolvedSignalingOptions,
  ) {}
}

function consumerModule(signaling: DynamicModule, imports: DynamicModule[] = [], providers: Provider[] = []): DynamicModule {
  @Module({})
  class ConsumerModule {}
  return { module: ConsumerModule, imports: [...imports, signaling], providers: [ConsumerService, ...providers] };
}

/** A host's global guard (as a global ThrottlerGuard would be): counts the WebSocket contexts it sees. */
@Injectable()
class CountingGlobalGuard implements CanActivate {
  static wsCalls = 0;
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() === 'ws') CountingGlobalGuard.wsCalls++;
    return true;
  }
}

interface Host {
  app: INestApplication;
  port: number;
  clients: WsTestClient[];
  connect(path: string): Promise<WsTestClient>;
  close(): Promise<void>;
}

/** `adapter`: the host's choice; the stock WsAdapter with the protocol's parser works too (Nest routes each frame). */
async function startHost(rootModule: DynamicModule, adapter: 'signaling' | 'stock' = 'signaling'): Promise<Host> {
  const moduleRef = await Test.createTestingModule({ imports: [rootModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['fatal', 'error', 'warn'] });
  app.useWebSocketAdapter(adapter === 'signaling' ? createSignalingWsAdapter(app) : new WsAdapter(app, { messageParser: signalingMessageParser }));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const clients: WsTestClient[] = [];
  return {
    app,
    port,
    clients,
    async connect(path: string) {
      const client = await WsTestClient.connect(`ws://127.0.0.1:${port}${path}`);
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.terminate();
      await app.close();
    },
  };
}

/** Two clients complete join / start / joined at `path`, and the call relays. */
async function expectCallWorks(host: Host, path: string, streamId = 'consumer-room'): Promise<void> {
  const a = await host.connect(path);
  const b = await host.connect(`${path}?target=origin`);
  a.send({ command: 'join', streamId });
  expect(await a.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
  b.send({ command: 'join', streamId });
  expect(await a.next()).toEqual({ command: 'start', streamId });
  expect(await b.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
  a.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: 'v=0' });
  expect(await b.next()).toEqual({ command: 'takeConfiguration', streamId, type: 'offer', sdp: 'v=0', idMapping: {} });
  b.send({ command: 'leave', streamId });
  expect(await a.next()).toEqual({ command: 'stop', streamId });
}

/** A WebSocket connection to `path` is refused (no handshake). */
async function expectRefused(host: Host, path: string): Promise<void> {
  await expect(WsTestClient.connect(`ws://127.0.0.1:${host.port}${path}`)).rejects.toThrow(/Unexpected server response: 4\d\d|socket hang up|ECONNRESET/);
}

describe('library consumer (public barrel, host-built app)', () => {
  let host: Host | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('forRoot({ path: "/custom" }): a call works at /custom; the default path is refused', async () => {
    host = await startHost(consumerModule(SignalingModule.forRoot({ path: '/custom' })));
    await expectCallWorks(host, '/custom');
    await expectRefused(host, '/WebRTCAppEE/websocket');
    await expectRefused(host, '/custom/extra');
    // the host's own providers can inject what the module exports
    const consumer = host.app.get(ConsumerService);
    expect(consumer.options.path).toBe('/custom');
    expect(consumer.signaling).toBeInstanceOf(SignalingService);
  });

  it('forRootAsync({ useFactory }) with an async factory', async () => {
    host = await startHost(consumerModule(SignalingModule.forRootAsync({ useFactory: async () => ({ path: '/async' }) })));
    await expectCallWorks(host, '/async');
    await expectRefused(host, '/WebRTCAppEE/websocket');
    await expectRefused(host, '/custom');
    expect(host.app.get<ResolvedSignalingOptions>(SIGNALING_OPTIONS).path).toBe('/async');
  });

  it('forRootAsync({ imports, inject, useFactory }) reading a host config provider', async () => {
    const signaling = SignalingModule.forRootAsync({
      imports: [ConsumerConfigModule.register({ signalingPath: '/injected', streamIdLimit: 8 })],
      inject: [ConsumerConfigService],
      useFactory: (config: ConsumerConfigService) => config.signaling(),
    });
    host = await startHost(consumerModule(signaling));
    await expectCallWorks(host, '/injected', 'room-8ch');
    await expectRefused(host, '/WebRTCAppEE/websocket');
    // the injected maxStreamIdLength is applied
    const c = await host.connect('/injected');
    c.send({ command: 'join', streamId: 'nine-char' });
    expect(await c.next()).toEqual({ command: 'error', definition: 'invalidStreamName', streamId: 'nine-char' });
  });

  it("the stock WsAdapter with the protocol's parser: Nest routes the frames by @SubscribeMessage, and a call works the same", async () => {
    host = await startHost(consumerModule(SignalingModule.forRoot({})), 'stock');
    await expectCallWorks(host, '/WebRTCAppEE/websocket');
    const c = await host.connect('/WebRTCAppEE/websocket');
    c.send({ command: 'takeCandidate', streamId: 'nobody', label: 0, candidate: 'c' });
    expect(await c.next()).toEqual({ command: 'error', definition: 'no_peer_associated_before', streamId: 'nobody' });
    c.send({ command: 'ping' });
    expect(await c.next()).toEqual({ command: 'pong' });
  });

  it("a host's global guard (APP_GUARD) runs on no signaling frame, with either adapter: the gateway's direct route takes nothing from a host (README)", async () => {
    const globalGuard = [{ provide: APP_GUARD, useClass: CountingGlobalGuard }];
    CountingGlobalGuard.wsCalls = 0;
    for (const adapter of ['signaling', 'stock'] as const) {
      host = await startHost(consumerModule(SignalingModule.forRoot({}), [], globalGuard), adapter);
      await expectCallWorks(host, '/WebRTCAppEE/websocket');
      await host.close();
      host = undefined;
    }
    expect(CountingGlobalGuard.wsCalls).toBe(0);
  });

  it('forRoot() with no options serves the default Ant Media path', async () => {
    host = await startHost(consumerModule(SignalingModule.forRoot({})));
    await expectCallWorks(host, '/WebRTCAppEE/websocket');
    await expectRefused(host, '/custom');
  });

  it('forRoot with invalid options fails at boot with a message naming the option', async () => {
    await expect(
      Test.createTestingModule({ imports: [consumerModule(SignalingModule.forRoot({ maxFrameBytes: 1024 }))] }).compile(),
    ).rejects.toThrow(/SignalingModule: maxFrameBytes must be at least 81920/);
    await expect(
      Test.createTestingModule({ imports: [consumerModule(SignalingModule.forRoot({ path: 'no-slash' }))] }).compile(),
    ).rejects.toThrow(/SignalingModule: path must start with "\/"/);
    await expect(
      Test.createTestingModule({
        imports: [consumerModule(SignalingModule.forRoot({ heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 1000 }))],
      }).compile(),
    ).rejects.toThrow(/heartbeatTimeoutMs must not be shorter than heartbeatIntervalMs/);
  });

  it('forRootAsync with invalid options from the factory fails at boot too', async () => {
    await expect(
      Test.createTestingModule({
        imports: [consumerModule(SignalingModule.forRootAsync({ useFactory: async () => ({ stunServerUri: 'http://x' }) }))],
      }).compile(),
    ).rejects.toThrow(/SignalingModule: stunServerUri must start with "stun:"/);
  });
});
