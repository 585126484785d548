import type { WebSocket } from 'ws';
import type { LeaveReason } from '../protocol/leave-reason.enum';
import type { RoomRegistry } from '../rooms/room-registry';
import type { MessageRateLimiter } from './message-rate-limiter';

const OPEN = 1;
const settle = (): void => undefined;
const NO_ROOMS: ReadonlySet<string> = new Set<string>();
/** For a connection made without a registry (tests): in no room. */
const NOWHERE: Pick<RoomRegistry, 'roomsOf'> = { roomsOf: () => NO_ROOMS };

/** The connection a socket belongs to (set by the gateway when the socket connects). */
export const PEER_CONNECTION = Symbol('peerConnection');

/** A socket the gateway has accepted. */
export type ConnectedSocket = WebSocket & { [PEER_CONNECTION]?: PeerConnection };

/**
 * One client socket on this node. Holds what the gateway needs per connection and runs the
 * connection's commands one after another: a command whose work is asynchronous (join, leave)
 * holds back the frames behind it, so every sender's frames take effect in the order sent.
 * Synchronous commands on an idle connection (the relay hot path) run at once, allocating nothing.
 *
 * Everything sent to the client goes through `send`, `ping` and `pong`, which keep what waits to be
 * sent under `maxBufferedBytes`: past it nothing more is queued and `onOverflow` closes the connection.
 */
export class PeerConnection {
  readonly connectedAt = new Date();
  /** When the client last showed life: a frame, a WebSocket ping or pong (ms since epoch). */
  lastActivityAt = Date.now();
  /** When the client last answered a WebSocket ping of the server (ms since epoch; 0: never). */
  lastPongAt = 0;
  /** Set once, by the first exit path that reaches the connection (`beginClose`). */
  closeReason: LeaveReason | undefined;
  /** The clean-up of the connection, once an exit path started it. */
  cleanup: Promise<void> | undefined;
  /** Set by a liveness probe in flight: called with true on the next sign of life, false when the connection starts closing. */
  onProbeAnswer: ((alive: boolean) => void) | undefined;
  /** Set while a command of this connection waits on others (a contested join): called when it starts closing. */
  onClosing: (() => void) | undefined;
  /** Called once when a send finds more than `maxBufferedBytes` waiting for the client. */
  onOverflow: (connection: PeerConnection) => void = settle;
  private overflowed = false;
  private tail: Promise<void> | null = null;

  constructor(
    readonly id: string,
    readonly socket: WebSocket,
    readonly remoteAddress: string,
    readonly userAgent: string,
    readonly limiter: MessageRateLimiter,
    private readonly maxBufferedBytes = Infinity,
    private readonly registry: Pick<RoomRegistry, 'roomsOf'> = NOWHERE,
  ) {}

  /** Rooms this connection is in, as the room registry (their one owner) has them: a live, read-only view. */
  get rooms(): ReadonlySet<string> {
    return this.registry.roomsOf(this.id);
  }

  get closing(): boolean {
    return this.closeReason !== undefined;
  }

  /** Records a sign of life at `now` (answers a liveness probe in flight). */
  markAlive(now: number): void {
    this.lastActivityAt = now;
    if (this.onProbeAnswer !== undefined) this.onProbeAnswer(true);
  }

  /**
   * Marks the connection closing with `reason`, once: returns false when an exit path already did.
   * Wakes what waits on the connection (a liveness probe of it, a contested join of its own).
   */
  beginClose(reason: LeaveReason): boolean {
    if (this.closeReason !== undefined) return false;
    this.closeReason = reason;
    this.onClosing?.();
    this.onProbeAnswer?.(false);
    return true;
  }

  send(frame: string): void {
    if (this.socket.readyState === OPEN && this.hasRoom(frame.length)) this.socket.send(frame);
  }

  /**
   * The one place a socket is closed by the server: with `code` (close-codes.ts) and `message`, or
   * terminated without a close frame when `code` is omitted (a socket that stopped answering). The
   * socket's `close` event then runs the connection's clean-up (if no exit path started it already).
   */
  closeSocket(code?: number, message?: string): void {
    if (code === undefined) this.socket.terminate();
    else this.socket.close(code, message);
  }

  /** A WebSocket ping (heartbeat, liveness probe). */
  ping(): void {
    if (this.socket.readyState === OPEN && this.hasRoom(2)) this.socket.ping();
  }

  /** The answer to the client's WebSocket ping (the server does not pong automatically). */
  pong(data: Buffer): void {
    if (this.socket.readyState === OPEN && this.hasRoom(data.length + 2)) this.socket.pong(data);
  }

  /**
   * Whether `bytes` more may be queued. `bufferedAmount` is what `ws` and the socket of this process
   * still hold for the client: it grows only while the client does not read. Once over the cap, a
   * connection is sent nothing more, however small.
   */
  private hasRoom(bytes: number): boolean {
    if (this.overflowed) return false;
    if (this.socket.bufferedAmount + bytes <= this.maxBufferedBytes) return true;
    this.overflowed = true;
    this.onOverflow(this);
    return false;
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
   * answers a ProtocolError with an error frame), called with the connection as `this`. Rethrows
   * until the gateway sets it (one function shared by every connection).
   */
  reportError(error: unknown): void {
    throw error;
  }

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
      if (result instanceof Promise) return result.catch((error: unknown) => this.reportError(error));
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

/** The connection of a socket the gateway accepted. */
export function connectionOf(socket: WebSocket): PeerConnection | undefined {
  return (socket as ConnectedSocket)[PEER_CONNECTION];
}
