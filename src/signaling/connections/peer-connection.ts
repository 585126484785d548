import type { WebSocket } from 'ws';
import type { LeaveReason } from '../protocol/leave-reason.enum';
import type { MessageRateLimiter } from './message-rate-limiter';

const OPEN = 1;
const settle = (): void => undefined;

/**
 * One client socket on this node. Holds what the gateway needs per connection and runs the
 * connection's commands one after another: a command whose work is asynchronous (join, leave)
 * holds back the frames behind it, so every sender's frames take effect in the order sent.
 * Synchronous commands on an idle connection (the relay hot path) run at once, allocating nothing.
 */
export class PeerConnection {
  readonly connectedAt = new Date();
  /** Set by any frame or pong; cleared by each heartbeat tick. */
  alive = true;
  /** Last heartbeat tick that saw the connection alive (ms since epoch). */
  lastSeen = Date.now();
  /** Set once, by the first exit path that reaches the connection. */
  closeReason: LeaveReason | undefined;
  /** Rooms this connection is in (for the per-connection room limit). */
  readonly rooms = new Set<string>();
  private tail: Promise<void> | null = null;

  constructor(
    readonly id: string,
    readonly socket: WebSocket,
    readonly remoteAddress: string,
    readonly userAgent: string,
    readonly limiter: MessageRateLimiter,
  ) {}

  get closing(): boolean {
    return this.closeReason !== undefined;
  }

  send(frame: string): void {
    if (this.socket.readyState === OPEN) this.socket.send(frame);
  }

  /** Runs `task` after every task this connection started before it. */
  serial<T>(task: () => T | Promise<T>): T | Promise<T> {
    if (this.tail !== null) return this.enqueue(task);
    const result = task();
    if (result instanceof Promise) this.track(result);
    return result;
  }

  /**
   * Receives what a `run` task throws, in order with the connection's other replies (the gateway
   * answers a ProtocolError with an error frame). Rethrows until the gateway sets it.
   */
  reportError: (error: unknown) => void = (error) => {
    throw error;
  };

  /**
   * `serial` for a gateway handler: `handler.call(self, this, frame)`, its errors going to
   * `reportError`. No closure is allocated unless earlier work is still in flight.
   */
  run<S, F>(handler: (this: S, connection: PeerConnection, frame: F) => void | Promise<void>, self: S, frame: F): void {
    if (this.tail !== null) {
      void this.enqueue(() => this.attempt(handler, self, frame));
      return;
    }
    const pending = this.attempt(handler, self, frame);
    if (pending) this.track(pending);
  }

  private attempt<S, F>(
    handler: (this: S, connection: PeerConnection, frame: F) => void | Promise<void>,
    self: S,
    frame: F,
  ): Promise<void> | undefined {
    try {
      const result = handler.call(self, this, frame);
      if (result instanceof Promise) return result.catch(this.reportError);
    } catch (error) {
      this.reportError(error);
    }
    return undefined;
  }

  private enqueue<T>(task: () => T | Promise<T>): Promise<T> {
    const queued = (this.tail as Promise<void>).then(task);
    this.track(queued);
    return queued;
  }

  private track(work: Promise<unknown>): void {
    const done = work.then(settle, settle);
    this.tail = done;
    void done.then(() => {
      if (this.tail === done) this.tail = null;
    });
  }
}
