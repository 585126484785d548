import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { signalingMessageParser } from './protocol/signaling-message-parser';

/**
 * The WebSocket adapter the signaling gateway needs: `@nestjs/platform-ws` with the parser that
 * routes `{"command":…}` frames. `app.useWebSocketAdapter(createSignalingWsAdapter(app))`.
 */
export function createSignalingWsAdapter(app: INestApplicationContext | object): WsAdapter {
  return new WsAdapter(app, { messageParser: signalingMessageParser });
}
