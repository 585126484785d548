import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConnectionRegistry } from './connections/connection-registry.service';
import { LeaveReason } from './protocol/leave-reason.enum';
import { SignalingService } from './signaling.service';
import { SIGNALING_OPTIONS } from './signaling.module-definition';
import type { ResolvedSignalingOptions } from './signaling-options.interface';

/**
 * WebSocket-level heartbeat: pings every connection each interval; a connection that sent no frame
 * and no pong for the timeout is cleaned up (reason `timeout`, its peers receive `stop`) and terminated.
 * One timer for all connections, cleared on shutdown.
 */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SIGNALING_OPTIONS) private readonly options: ResolvedSignalingOptions,
    private readonly connections: ConnectionRegistry,
    private readonly signaling: SignalingService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(Date.now()), this.options.heartbeatIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One heartbeat round; public for tests. */
  tick(now: number): void {
    const timeout = this.options.heartbeatTimeoutMs;
    for (const connection of this.connections.values()) {
      if (connection.closing) continue;
      if (now - connection.lastActivityAt >= timeout) void this.signaling.close(connection, LeaveReason.Timeout);
      else connection.ping();
    }
  }
}
