import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConnectionRegistry } from './connections/connection-registry.service';
import type { PeerConnection } from './connections/peer-connection';
import { LeaveReason } from './protocol/leave-reason.enum';
import { SignalingService } from './signaling.service';
import { SIGNALING_OPTIONS } from './signaling.module-definition';
import type { ResolvedSignalingOptions } from './signaling-options.interface';

/** Longest time between two slices of a heartbeat round. */
export const HEARTBEAT_SLICE_MS = 50;

/**
 * WebSocket-level heartbeat: pings every connection once per interval; a connection that sent no
 * frame, ping or pong for the timeout is cleaned up (reason `timeout`, its peers receive `stop`) and
 * terminated. A round is spread over the interval in slices (one every HEARTBEAT_SLICE_MS at most),
 * each visiting its share of the connections, so that 10,000 connections never stall the event loop
 * for the length of one loop over all of them. One timer for all connections, cleared on shutdown.
 */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  /** The round in progress: the connections not yet visited (a live iterator of the registry). */
  private round: Iterator<PeerConnection> | undefined;
  /** Connections visited in the round in progress, and its slices still to come. */
  private visited = 0;
  private slicesLeft = 0;
  private readonly slicesPerRound: number;
  private readonly sliceMs: number;

  constructor(
    @Inject(SIGNALING_OPTIONS) private readonly options: ResolvedSignalingOptions,
    private readonly connections: ConnectionRegistry,
    private readonly signaling: SignalingService,
  ) {
    this.slicesPerRound = Math.max(1, Math.floor(options.heartbeatIntervalMs / HEARTBEAT_SLICE_MS));
    this.sliceMs = options.heartbeatIntervalMs / this.slicesPerRound;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.slice(Date.now()), this.sliceMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.round = undefined;
  }

  /**
   * One slice: a round starts every `slicesPerRound` slices (once per interval); after k of its
   * slices the round has visited k / slicesPerRound of the connections (so a few connections are
   * visited through the interval, not all in its first slices), and the last slice visits all that
   * are left. Map iteration is live: a connection that closes meanwhile is not visited, one that
   * opens is visited if the round reaches it.
   */
  slice(now: number): void {
    if (this.slicesLeft === 0) {
      this.round = this.connections.values();
      this.visited = 0;
      this.slicesLeft = this.slicesPerRound;
    }
    const last = this.slicesLeft === 1;
    this.slicesLeft--;
    if (this.round === undefined) return;
    const done = this.slicesPerRound - this.slicesLeft;
    const total = Math.max(this.connections.size, this.visited);
    let quota = last ? Infinity : Math.floor((total * done) / this.slicesPerRound) - this.visited;
    while (quota-- > 0) {
      const next = this.round.next();
      if (next.done) {
        this.round = undefined;
        return;
      }
      this.visited++;
      this.visit(next.value, now);
    }
  }

  /** One whole heartbeat round at once; public for tests. */
  tick(now: number): void {
    for (const connection of this.connections.values()) this.visit(connection, now);
  }

  private visit(connection: PeerConnection, now: number): void {
    if (connection.closing) return;
    if (now - connection.lastActivityAt >= this.options.heartbeatTimeoutMs) void this.signaling.close(connection, LeaveReason.Timeout);
    else connection.ping();
  }
}
