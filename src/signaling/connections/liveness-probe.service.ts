import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { SIGNALING_OPTIONS } from '../signaling.module-definition';
import type { ResolvedSignalingOptions } from '../signaling-options.interface';
import type { PeerConnection } from './peer-connection';

/** A member that answered a ping this recently counts as alive without a probe (so it is probed at most this often). */
export const LIVENESS_RECENT_MS = 1000;

interface Probe {
  readonly promise: Promise<boolean>;
  readonly finish: (alive: boolean) => void;
}

/**
 * Tells whether a connection is alive now, for a `join` that finds its room full. A frame received
 * recently proves little (a socket can go half-open right after it), and a socket that just closed may
 * not have been seen closing yet: so a connection is sent a WebSocket ping and is alive if it shows any
 * sign of life (the pong, a frame) within `livenessProbeTimeoutMs`, dead if it times out or starts
 * closing. A connection that answered a ping in the last second counts as alive without one, and one
 * probe per connection runs at a time (concurrent joins share it): a member is pinged at most about
 * once a second however many joins contest its room. Owns the probes' timers; at shutdown every probe
 * ends as alive.
 */
@Injectable()
export class LivenessProbe implements OnModuleDestroy {
  private readonly probes = new Map<PeerConnection, Probe>();

  constructor(@Inject(SIGNALING_OPTIONS) private readonly options: ResolvedSignalingOptions) {}

  isAlive(connection: PeerConnection): Promise<boolean> {
    if (connection.closing) return Promise.resolve(false);
    if (Date.now() - connection.lastPongAt < LIVENESS_RECENT_MS) return Promise.resolve(true);
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
        connection.onProbeAnswer = undefined;
        resolve(alive);
      },
    };
    this.probes.set(connection, probe);
    connection.onProbeAnswer = probe.finish;
    connection.ping();
    return probe;
  }
}
