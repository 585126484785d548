import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { RawHandlerArguments } from '../../src/signaling/raw-handler-arguments.decorator';
import { SignalingGateway } from '../../src/signaling/signaling.gateway';
import { SignalingWsAdapter } from '../../src/signaling/signaling-ws-adapter';

const MESSAGE_MAPPING_METADATA = 'websockets:message_mapping';

describe('RawHandlerArguments', () => {
  it('covers every message handler of the signaling gateway', () => {
    const prototype = SignalingGateway.prototype as unknown as Record<string, unknown>;
    const handlers = Object.getOwnPropertyNames(prototype).filter((name) =>
      Reflect.getMetadata(MESSAGE_MAPPING_METADATA, prototype[name] as object),
    );
    expect(handlers.length).toBeGreaterThanOrEqual(9);
    for (const name of handlers) expect([name, Reflect.getMetadata(ROUTE_ARGS_METADATA, SignalingGateway, name)]).toEqual([name, {}]);
  });

  it('refuses a handler with parameter decorators', () => {
    expect(() => {
      @RawHandlerArguments()
      class Mixed {
        @SubscribeMessage('a')
        a(@ConnectedSocket() _socket: unknown, @MessageBody() _body: unknown): void {}
      }
      return Mixed;
    }).toThrow('Mixed.a: @RawHandlerArguments() gateways take no parameter decorators');
  });

  describe('in a Nest app', () => {
    const calls: Array<{ event: string; data: unknown; socketIsClient: boolean; synchronous: boolean }> = [];
    let dispatching = false;

    @Injectable()
    @WebSocketGateway({ path: '/raw' })
    @RawHandlerArguments()
    class RawGateway {
      @SubscribeMessage('one')
      one(socket: WebSocket, data: unknown): void {
        calls.push({ event: 'one', data, socketIsClient: typeof socket.send === 'function', synchronous: dispatching });
      }

      @SubscribeMessage('two')
      two(socket: WebSocket, data: unknown): { event: string; data: unknown } {
        calls.push({ event: 'two', data, socketIsClient: typeof socket.send === 'function', synchronous: dispatching });
        return { event: 'two-reply', data };
      }
    }

    let app: INestApplication;
    let url: string;
    beforeAll(async () => {
      const moduleRef = await Test.createTestingModule({ providers: [RawGateway] }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      // Marks the synchronous part of each frame's dispatch, to see when the handler runs.
      class ObservingAdapter extends SignalingWsAdapter {
        override bindMessageHandlers(socket: object, handlers: Array<{ message: unknown; callback: (...args: unknown[]) => unknown }>): void {
          const wrapped = handlers.map((h) => ({
            ...h,
            callback: (...args: unknown[]) => {
              dispatching = true;
              try {
                return h.callback(...args);
              } finally {
                dispatching = false;
              }
            },
          }));
          super.bindMessageHandlers(socket, wrapped);
        }
      }
      app.useWebSocketAdapter(new ObservingAdapter(app));
      await app.listen(0, '127.0.0.1');
      url = `ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/raw`;
    });
    afterAll(() => app.close());

    it('calls handlers with (socket, data) during the dispatch, in frame order, and still sends results', async () => {
      const socket = new WebSocket(url);
      await new Promise((resolve) => socket.once('open', resolve));
      const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString())));
      for (let i = 0; i < 5; i++) socket.send(JSON.stringify({ event: i % 2 ? 'two' : 'one', data: i }));
      expect(await reply).toBe('{"event":"two-reply","data":1}');
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.close();
      expect(calls).toEqual(
        [0, 1, 2, 3, 4].map((i) => ({ event: i % 2 ? 'two' : 'one', data: i, socketIsClient: true, synchronous: true })),
      );
    });
  });
});
