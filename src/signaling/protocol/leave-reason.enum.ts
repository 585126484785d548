/** Why a peer left a room: every exit path of a peer is one of these. */
export enum LeaveReason {
  /** The client sent `leave`. */
  Leave = 'leave',
  /** The socket closed without `leave`. */
  Disconnect = 'disconnect',
  /** The socket stopped answering WebSocket pings and was terminated. */
  Timeout = 'timeout',
  /** An operator removed the peer (admin API). */
  Kicked = 'kicked',
  /** The server shut down gracefully. */
  Shutdown = 'shutdown',
}
