import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { SIGNALING_OPTIONS } from '../signaling.module-definition';
import type { ResolvedSignalingOptions } from '../signaling-options.interface';
import type { PeerConnection } from './peer-connection';

/** A member that showed life this recently counts as alive without a probe (and is pinged at most this often). */
export const LIVENESS_RECENT_MS = 1000;

interface Probe {
  readonly promise: Promise<boolean>;
  readonly finish: (alive: boolean) => void;
}

/**
 * Tells whether a connection is alive now, for a `join` that finds its room full: a connection that
 * showed life in the last second is; any other is sent a WebSocket ping and is alive if it shows any
 * sign of life (the pong, a frame) within `livenessProbeTimeoutMs`. One probe per connection at a
 * time: concurrent joins share it. Owns the probes' timers; at shutdown every probe ends as alive.
 */
@Injectable()
export class LivenessProbe implements OnModuleDestroy {
  private readonly probes = new Map<PeerConnection, Probe>();

  constructor(@Inject(SIGNALING_OPTIONS) private readonly options: ResolvedSignalingOptions) {}

  isAlive(connection: PeerConnection): Promise<boolean> {
    if (connection.closing) return Promise.resolve(false);
    if (Date.now() - connection.lastActivityAt < LIVENESS_RECENT_MS) return Promise.resolve(true);
    return (this.probes.get(connection) ?? this.start(connection)).promise;
  }

  onModuleDestroy(): void {
    for (const probe of [...this.probes.values()]) probe.finish(true);
  }

  private start(connection: PeerConnection): Probe {
    let resolve!: (alive: boolean) => void;
    const promise = new Promise<boolean>((r) => (resolve = r));
    const timer = setTimeout(() => probe.finish(false), this.options.livenessProbeTimeoutMs);
    timer.unref();
    const probe: Probe = {
      promise,
      finish: (alive) => {
        if (this.probes.get(connection) !== probe) return;
        this.probes.delete(connection);
        clearTimeout(timer);
        connection.onLife = undefined;
        resolve(alive);
      },
    };
    this.probes.set(connection, probe);
    connection.onLife = () => probe.finish(true);
    connection.ping();
    return probe;
  }
}
