/**
 * Every WebSocket close code the server sends, in one place (docs/ams-p2p-protocol.md lists them).
 * A frame larger than `maxFrameBytes` is closed with 1009 by `ws` itself.
 */

/** The server shuts down (graceful shutdown), or is shutting down when the socket connects. */
export const CLOSE_GOING_AWAY = 1001;
/** The client kept sending over its rate limit (frames, or WebSocket ping/pong control frames). */
export const CLOSE_POLICY_VIOLATION = 1008;
/** A node lost its memberships while cut off from Redis: the client is to reconnect and join again. */
export const CLOSE_SERVICE_RESTART = 1012;
/** An operator disconnected the client (admin API, `disconnect=true`). */
export const CLOSE_KICKED = 4001;
/** More than `limits.maxBufferedBytes` waited to be sent to the client: it does not read. */
export const CLOSE_SEND_BUFFER_FULL = 4002;
