/**
 * Delivers a serialised frame to a connection, wherever it is. The in-memory default reaches the
 * sockets of this node; a shared implementation (Redis) also reaches other nodes'.
 * Frames to one connection must arrive in the order `deliver` was called.
 */
export abstract class SignalingRelay {
  /** Returns false when the connection is not known (closed, or never existed). */
  abstract deliver(connectionId: string, frame: string): boolean;
}
