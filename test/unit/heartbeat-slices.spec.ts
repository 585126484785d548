import type { WebSocket } from 'ws';
import { ConnectionRegistry } from '../../src/signaling/connections/connection-registry.service';
import { MessageRateLimiter } from '../../src/signaling/connections/message-rate-limiter';
import { PeerConnection } from '../../src/signaling/connections/peer-connection';
import { HEARTBEAT_SLICE_MS, HeartbeatService } from '../../src/signaling/heartbeat.service';
import { resolveSignalingOptions } from '../../src/signaling/signaling-options';
import type { SignalingService } from '../../src/signaling/signaling.service';

function connection(id: string, pings: Map<string, number>): PeerConnection {
  const socket = { readyState: 1, bufferedAmount: 0, ping: () => pings.set(id, (pings.get(id) ?? 0) + 1) } as unknown as WebSocket;
  return new PeerConnection(id, socket, '127.0.0.1', '', new MessageRateLimiter(100, 400, 400, Date.now()));
}

describe('HeartbeatService: a round spread over the interval', () => {
  const INTERVAL = 10_000;
  const SLICES = INTERVAL / HEARTBEAT_SLICE_MS;
  let registry: ConnectionRegistry;
  let pings: Map<string, number>;
  let closed: string[];
  let heartbeat: HeartbeatService;

  beforeEach(() => {
    registry = new ConnectionRegistry();
    pings = new Map();
    closed = [];
    const signaling = { close: async (c: PeerConnection) => void closed.push(c.id) } as unknown as SignalingService;
    heartbeat = new HeartbeatService(resolveSignalingOptions({ heartbeatIntervalMs: INTERVAL, heartbeatTimeoutMs: 30_000 }), registry, signaling);
  });

  /** Runs `count` slices, returning how many pings each slice sent. */
  function slices(count: number, now = Date.now()): number[] {
    const perSlice: number[] = [];
    for (let i = 0; i < count; i++) {
      const before = [...pings.values()].reduce((n, p) => n + p, 0);
      heartbeat.slice(now);
      perSlice.push([...pings.values()].reduce((n, p) => n + p, 0) - before);
    }
    return perSlice;
  }

  it('pings each of 10,000 connections once per interval, at most 50 per slice', () => {
    for (let i = 0; i < 10_000; i++) registry.add(connection(`c${i}`, pings));
    const perSlice = slices(SLICES);
    expect(pings.size).toBe(10_000);
    expect(Math.max(...pings.values())).toBe(1);
    expect(Math.max(...perSlice)).toBeLessThanOrEqual(50);
    // the next round starts with the next interval, not before
    slices(SLICES);
    expect(Math.min(...pings.values())).toBe(2);
    expect(Math.max(...pings.values())).toBe(2);
  });

  it('a few connections: one ping each per interval, not one per slice, spread through it', () => {
    for (let i = 0; i < 2; i++) registry.add(connection(`c${i}`, pings));
    slices(SLICES / 2 - 1);
    expect(pings.size).toBe(0); // not all in the first slices of the round
    slices(1);
    expect([...pings.values()]).toEqual([1]);
    slices(SLICES / 2 + SLICES * 2);
    expect([...pings.values()]).toEqual([3, 3]);
  });

  it('connections that open or close during a round: every open one is still visited once', () => {
    const all = Array.from({ length: 1000 }, (_, i) => connection(`c${i}`, pings));
    for (const c of all) registry.add(c);
    slices(SLICES / 2);
    for (const c of all.slice(0, 400)) registry.remove(c); // some visited already, all of them now gone
    const late = connection('late', pings);
    registry.add(late);
    slices(SLICES / 2);
    for (const c of all.slice(400)) expect(pings.get(c.id)).toBe(1);
    expect(pings.get('late')).toBe(1);
  });

  it('a silent connection past the timeout is closed instead of pinged', () => {
    const silent = connection('silent', pings);
    registry.add(silent);
    registry.add(connection('fresh', pings));
    silent.lastActivityAt = Date.now() - 30_000;
    slices(SLICES);
    expect(closed).toEqual(['silent']);
    expect(pings.has('silent')).toBe(false);
    expect(pings.get('fresh')).toBe(1);
  });

  it('tick() still runs a whole round at once', () => {
    for (let i = 0; i < 100; i++) registry.add(connection(`c${i}`, pings));
    heartbeat.tick(Date.now());
    expect(pings.size).toBe(100);
  });
});
