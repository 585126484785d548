import { formatHeapGrowth } from '../heap-summary';
import * as f from '../lib/frames';
import { BenchSocket } from '../lib/client';
import { closePairs, openPairs } from '../lib/pairs';
import { followScript } from '../lib/script';
import { Samples } from '../lib/stats';
import { type Measurement, type WorkloadContext, sleep, waitUntil } from './workload';

export interface IdleOptions {
  /** Connections to hold (even: they join rooms in pairs). */
  connections: number;
  /** Handshakes (pairs) in flight while opening. */
  parallel: number;
  /** Seconds to wait after the last join before reading memory. */
  settleSeconds: number;
  /**
   * Seconds a probe socket sends `ping` every 20 ms (one in flight) while the K connections are held,
   * recording each `pong`'s round trip: the relay latency a call on a node holding K idle connections
   * sees from the heartbeat (at least one heartbeat interval, 10 s by default). 0: no probe.
   */
  probeSeconds: number;
}

/**
 * Workload (c): idle connections held. After a small warm-up (100 connections opened, joined,
 * closed), reads the server's memory (after a full GC), opens K connections that join rooms in
 * pairs (an established but silent call) and stay idle, reads memory again (before and after a
 * full GC), then checks every connection still answers `ping` with `pong`, then (probeSeconds)
 * measures a probe socket's `ping` -> `pong` round trip while the K connections stay held.
 */
export async function runIdle(context: WorkloadContext, options: IdleOptions): Promise<Measurement> {
  const warm = await openPairs(context.urls, (i) => `${context.tag}-w${i}`, 50, 25);
  await closePairs(warm);
  await sleep(1000);
  const before = await context.memory(true);
  const snapshotBefore = await context.heapSnapshot?.('before');

  const pairCount = Math.ceil(options.connections / 2);
  await context.profile(true);
  const openedAt = performance.now();
  const usageBefore = context.usage();
  const pairs = await openPairs(context.urls, (i) => `${context.tag}-i${i}`, pairCount, options.parallel, 60_000);
  const usageAfter = context.usage();
  const openSeconds = (performance.now() - openedAt) / 1000;
  await context.profile(false, 'open');
  try {
    const held = pairs.length * 2;
    await sleep(options.settleSeconds * 1000);
    const afterNoGc = await context.memory(false);
    const after = await context.memory(true);
    if (context.heapSnapshot && snapshotBefore) {
      const snapshotAfter = await context.heapSnapshot('after');
      context.log(formatHeapGrowth(snapshotAfter, snapshotBefore, held, 30).replace(/\n/g, '\n      '));
    }

    let pongs = 0;
    let failure: string | undefined;
    for (const pair of pairs) {
      for (const socket of [pair.a, pair.b]) {
        followScript(socket, [{ expect: f.PONG, then: () => pongs++ }], (message) => (failure ??= message));
        socket.send(f.PING);
      }
    }
    await waitUntil(() => pongs === held || failure !== undefined, 30_000);
    if (failure) throw new Error(`idle ping: ${failure}`);
    context.log(`held ${pongs}/${held}; RSS ${before.rssKiB} -> ${after.rssKiB} KiB (no GC: ${afterNoGc.rssKiB})`);
    const probe = options.probeSeconds > 0 ? await probeRoundTrips(context.urls[0], options.probeSeconds) : undefined;
    if (probe) context.log(`probe: ${probe.count} pings, round trip p50 ${probe.p50.toFixed(3)} p99 ${probe.p99.toFixed(3)} max ${probe.max.toFixed(2)} ms`);
    return {
      ...(probe ? { idle_probe_rtt_p50_ms: probe.p50, idle_probe_rtt_p99_ms: probe.p99, idle_probe_rtt_max_ms: probe.max } : {}),
      idle_rss_kib_per_conn: (after.rssKiB - before.rssKiB) / held,
      idle_rss_kib_per_conn_nogc: (afterNoGc.rssKiB - before.rssKiB) / held,
      idle_heap_kib_per_conn: (after.heapUsedKiB - before.heapUsedKiB) / held,
      idle_held: pongs,
      idle_open_per_s: held / openSeconds,
      // Server CPU per connection opened (the handshake, the join into a pair, its history rows).
      idle_open_cpu_us_per_conn: ((usageAfter.serverCpuMs - usageBefore.serverCpuMs) * 1000) / held,
      idle_open_main_cpu_us_per_conn: ((usageAfter.serverMainThreadCpuMs - usageBefore.serverMainThreadCpuMs) * 1000) / held,
      idle_open_client_cpu_us_per_conn: ((usageAfter.clientCpuMs - usageBefore.clientCpuMs) * 1000) / held,
    };
  } finally {
    for (const pair of pairs) {
      pair.a.terminate();
      pair.b.terminate();
    }
    await waitUntil(() => pairs.every((p) => p.a.closed && p.b.closed), 10_000);
  }
}

/** A fresh socket sends `ping` every 20 ms (the next only after the previous `pong`) for `seconds`. */
async function probeRoundTrips(url: string, seconds: number): Promise<{ count: number; p50: number; p99: number; max: number }> {
  const socket = await BenchSocket.connect(url);
  const rtt = new Samples();
  try {
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      const sentAt = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const reply = await new Promise<string>((resolve) => {
        socket.onFrame = resolve;
        timer = setTimeout(() => resolve('timeout'), 5000);
        socket.send(f.PING);
      });
      clearTimeout(timer);
      if (reply === 'timeout' || (JSON.parse(reply) as { command?: unknown }).command !== f.PONG.command) {
        throw new Error(`idle probe: expected a pong within 5 s, got ${reply}`);
      }
      rtt.add(performance.now() - sentAt);
      await sleep(20);
    }
  } finally {
    await socket.close();
  }
  const { count, p50, p99, max } = rtt.summary();
  return { count, p50, p99, max };
}
