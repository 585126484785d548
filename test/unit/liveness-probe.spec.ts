import type { WebSocket } from 'ws';
import { LIVENESS_RECENT_MS, LivenessProbe } from '../../src/signaling/connections/liveness-probe.service';
import { MessageRateLimiter } from '../../src/signaling/connections/message-rate-limiter';
import { PeerConnection } from '../../src/signaling/connections/peer-connection';
import { LeaveReason } from '../../src/signaling/protocol/leave-reason.enum';
import { resolveSignalingOptions } from '../../src/signaling/signaling-options';

function connectionWithPings(): PeerConnection & { pings: () => number } {
  let pings = 0;
  const socket = { readyState: 1, bufferedAmount: 0, ping: () => pings++ } as unknown as WebSocket;
  const connection = new PeerConnection('c', socket, '', '', new MessageRateLimiter(100, 400, 400, Date.now()));
  return Object.assign(connection, { pings: () => pings });
}

describe('LivenessProbe', () => {
  let probe: LivenessProbe;
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    probe = new LivenessProbe(resolveSignalingOptions({ livenessProbeTimeoutMs: 1500 }));
  });
  afterEach(() => {
    probe.onModuleDestroy();
    jest.useRealTimers();
  });

  it('pings, and a sign of life within the timeout means alive', async () => {
    const connection = connectionWithPings();
    const alive = probe.isAlive(connection);
    expect(connection.pings()).toBe(1);
    jest.advanceTimersByTime(1000);
    connection.markAlive(Date.now());
    await expect(alive).resolves.toBe(true);
    expect(connection.onProbeAnswer).toBeUndefined();
  });

  it('no answer within the timeout means dead', async () => {
    const connection = connectionWithPings();
    const alive = probe.isAlive(connection);
    jest.advanceTimersByTime(1499);
    let settled = false;
    void alive.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    jest.advanceTimersByTime(1);
    await expect(alive).resolves.toBe(false);
  });

  it('a connection that starts closing is dead at once; a closing one is not pinged', async () => {
    const connection = connectionWithPings();
    const alive = probe.isAlive(connection);
    connection.beginClose(LeaveReason.Disconnect);
    await expect(alive).resolves.toBe(false);
    await expect(probe.isAlive(connection)).resolves.toBe(false);
    expect(connection.pings()).toBe(1);
  });

  it('concurrent probes of one connection share one ping', async () => {
    const connection = connectionWithPings();
    const probes = [probe.isAlive(connection), probe.isAlive(connection), probe.isAlive(connection)];
    expect(connection.pings()).toBe(1);
    connection.markAlive(Date.now());
    await expect(Promise.all(probes)).resolves.toEqual([true, true, true]);
  });

  it('a pong in the last second spares the ping; a recent frame does not', async () => {
    const connection = connectionWithPings();
    connection.markAlive(Date.now());
    void probe.isAlive(connection);
    expect(connection.pings()).toBe(1);
    connection.markAlive(Date.now());
    connection.lastPongAt = Date.now();
    await expect(probe.isAlive(connection)).resolves.toBe(true);
    expect(connection.pings()).toBe(1);
    jest.advanceTimersByTime(LIVENESS_RECENT_MS);
    void probe.isAlive(connection);
    expect(connection.pings()).toBe(2);
  });

  it('at shutdown every probe in flight ends as alive and its timer is cleared', async () => {
    const connection = connectionWithPings();
    const alive = probe.isAlive(connection);
    probe.onModuleDestroy();
    await expect(alive).resolves.toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
});
