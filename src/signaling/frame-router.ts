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
