/** Why a peer left a room: every exit path of a peer is one of these. */
export enum LeaveReason {
  /** The client sent `leave`. */
  Leave = 'leave',
  /** The socket closed without `leave`. */
  Disconnect = 'disconnect',
  /**
   * The socket stopped answering: silent past the heartbeat timeout, or no answer to the liveness
   * probe of a contested `join`. It was terminated.
   */
  Timeout = 'timeout',
  /** More than `limits.maxBufferedBytes` waited to be sent to the client (it stopped reading): closed with 4002. */
  SlowConsumer = 'slow_consumer',
  /** The client kept sending frames (or WebSocket pings/pongs) over its rate limit: closed with 1008. */
  RateLimited = 'rate_limited',
  /**
   * The client sent `join` again for a room it is in with a partner: this session ends and a new one
   * starts on the same socket (the partner receives `stop`, then `start`).
   */
  Rejoin = 'rejoin',
  /** An operator removed the peer (admin API). */
  Kicked = 'kicked',
  /** The server shut down gracefully. */
  Shutdown = 'shutdown',
}
