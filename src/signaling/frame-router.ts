import type { WebSocket } from 'ws';

/**
 * Set on a socket by a gateway that routes the socket's frames itself (SignalingGateway, in
 * `handleConnection`, which Nest calls before it binds the message handlers). SignalingWsAdapter then
 * hands each parsed frame to the router and keeps no per-socket handler list; with the stock
 * WsAdapter the symbol is ignored and the gateway's `@SubscribeMessage` handlers run as usual.
 */
export const FRAME_ROUTER = Symbol('signalingFrameRouter');

/** Takes a socket's parsed frames, `event` and `data` as the adapter's message parser returned them. */
export interface FrameRouter {
  routeFrame(socket: WebSocket, event: string, data: unknown): void;
}

/** Set by `@SubscribeMessage` on the handler function, with the event (`@nestjs/websockets/constants`). */
const MESSAGE_MAPPING_METADATA = 'websockets:message_mapping';
const MESSAGE_METADATA = 'message';

/** The `@SubscribeMessage` handlers of a gateway class: `[event, method name]`, in declaration order. */
export function messageHandlers(prototype: object): Array<[event: string, method: string]> {
  const handlers: Array<[string, string]> = [];
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const method = Object.getOwnPropertyDescriptor(prototype, name)?.value;
    if (typeof method !== 'function' || !Reflect.getMetadata(MESSAGE_MAPPING_METADATA, method)) continue;
    handlers.push([Reflect.getMetadata(MESSAGE_METADATA, method) as string, name]);
  }
  return handlers;
}
