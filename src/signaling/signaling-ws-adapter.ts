import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { isObservable, type Observable } from 'rxjs';
import type { RawData, WebSocket } from 'ws';
import { FRAME_ROUTER, type FrameRouter } from './frame-router';
import { logSafeMessage, logSafeStack } from './log-safe';
import { signalingMessageParser } from './protocol/signaling-message-parser';

const OPEN = 1;
const HANDLERS = Symbol('messageHandlers');

/** What Nest's WebSocketsController passes per client: its handlers, bound to that client. */
interface BoundMessageHandler {
  message: unknown;
  callback: (...args: unknown[]) => unknown;
}

type Client = WebSocket & { [HANDLERS]: BoundMessageHandler[]; [FRAME_ROUTER]?: FrameRouter };

/**
 * `@nestjs/platform-ws`'s WsAdapter with a lighter per-message path; everything else (servers,
 * paths, upgrade, the message parser option, disconnects, shutdown) is the stock adapter.
 *
 * The stock `bindMessageHandlers` subscribes each client through rxjs (`fromEvent` on the socket's
 * EventTarget API, which wraps every frame in a MessageEvent, then `mergeMap`, `takeUntil`, a
 * per-client Map of handlers and a shared close$), and turns every handler result into an
 * Observable (`from(promise)`, `mergeAll`, `filter`). Profiled under `npm run bench`, that layer
 * took more CPU than the gateway's own handlers, and about 6 KB of heap per idle connection (see
 * bench/README.md). This one does the same with a plain `message` listener shared by every client
 * (`this` is the socket, so no closure per connection): parse with the configured parser, find
 * the handler for the event, call it (Nest's context still applies filters, guards, pipes and
 * interceptors), and send a handler's non-null result, or each value of a returned Observable,
 * back as JSON, as the stock adapter does. As there, a frame the parser rejects or with no
 * handler is dropped, and each client's frames reach their handlers in the order received.
 *
 * A socket its gateway claimed (FRAME_ROUTER, set in `handleConnection`) skips even that: its frames
 * go straight to the gateway's `routeFrame`, which calls the same handler methods without Nest's
 * per-frame execution context (an async proxy, the interceptor chain and three promises per frame,
 * about 1.7 KB of garbage per relayed frame: bench/README.md, "allocations"), and no handler list is
 * kept for the socket. The signaling gateway does so: its handlers take no Nest parameters, report
 * their own errors and return nothing, so nothing of Nest's context applies to them.
 */
export class SignalingWsAdapter extends WsAdapter {
  private readonly onClientMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;

  constructor(appOrHttpServer?: INestApplicationContext | object, options?: ConstructorParameters<typeof WsAdapter>[1]) {
    super(appOrHttpServer, options);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const adapter = this;
    this.onClientMessage = function (this: WebSocket, data: RawData, isBinary: boolean): void {
      adapter.dispatch(this as Client, isBinary ? data : data.toString());
    };
  }

  /** `transform` (Nest's rxjs wrapping of results) is not used: results are sent by `respond`. */
  override bindMessageHandlers(socket: object, handlers: BoundMessageHandler[], _transform?: unknown): void {
    const client = socket as Client;
    if (client[FRAME_ROUTER] === undefined) client[HANDLERS] = handlers;
    client.on('message', this.onClientMessage);
  }

  private dispatch(client: Client, data: string | RawData): void {
    let result: unknown;
    try {
      const message = this.messageParser(data);
      if (!message) return;
      const router = client[FRAME_ROUTER];
      if (router !== undefined) {
        this.route(router, client, message.event, message.data);
        return;
      }
      const handlers = client[HANDLERS];
      let handler: BoundMessageHandler | undefined;
      for (let i = 0; i < handlers.length; i++) {
        if (handlers[i].message === message.event) {
          handler = handlers[i];
          break;
        }
      }
      if (!handler) return;
      result = handler.callback(message.data, message.event);
    } catch {
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (value: unknown) => this.respond(client, value),
        (error: Error) => this.logger.error(logSafeMessage(error, 500), logSafeStack(error, 500)),
      );
    } else {
      this.respond(client, result);
    }
  }

  /**
   * A router answers its client itself (protocol errors included): what it throws is a fault of the
   * server, logged, and the socket goes on being served.
   */
  private route(router: FrameRouter, client: Client, event: string, data: unknown): void {
    try {
      router.routeFrame(client, event, data);
    } catch (error) {
      this.logger.error(logSafeMessage(error, 500), logSafeStack(error, 500));
    }
  }

  /** A handler's result goes back to its client: a value, or every value of an Observable. */
  private respond(client: Client, value: unknown): void {
    if (value === undefined || value === null) return;
    if (isObservable(value)) {
      (value as Observable<unknown>).subscribe({
        next: (item) => this.send(client, item),
        error: (error: Error) => this.logger.error(logSafeMessage(error, 500), logSafeStack(error, 500)),
      });
      return;
    }
    this.send(client, value);
  }

  private send(client: Client, response: unknown): void {
    if (response === undefined || response === null || client.readyState !== OPEN) return;
    client.send(JSON.stringify(response));
  }
}

/**
 * The WebSocket adapter the signaling gateway needs: `@nestjs/platform-ws` with the parser that
 * routes `{"command":…}` frames. `app.useWebSocketAdapter(createSignalingWsAdapter(app))`.
 */
export function createSignalingWsAdapter(app: INestApplicationContext | object): WsAdapter {
  return new SignalingWsAdapter(app, { messageParser: signalingMessageParser });
}
