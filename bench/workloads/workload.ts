/** What run.ts gives a workload, and what a workload returns. */
import type { LoopDelay } from '../lib/stats';

/** Cumulative counters at one instant; two of them give a window's usage. */
export interface Usage {
  at: number;
  /** CPU time (user + system) of the server process(es), all threads. */
  serverCpuMs: number;
  /** CPU time of the server's main thread(s) only: the event loop (not GC helpers, not the libuv pool). */
  serverMainThreadCpuMs: number;
  /** CPU time of the load generator (this process). */
  clientCpuMs: number;
}

export type WindowUsage = Omit<Usage, 'at'> & { wallMs: number };

/** Sums the usage of several measured windows (slices) of one server. */
export class UsageTotal {
  readonly total: WindowUsage = { wallMs: 0, serverCpuMs: 0, serverMainThreadCpuMs: 0, clientCpuMs: 0 };

  add(from: Usage, to: Usage): void {
    this.total.wallMs += to.at - from.at;
    this.total.serverCpuMs += to.serverCpuMs - from.serverCpuMs;
    this.total.serverMainThreadCpuMs += to.serverMainThreadCpuMs - from.serverMainThreadCpuMs;
    this.total.clientCpuMs += to.clientCpuMs - from.clientCpuMs;
  }
}

export interface ServerMemory {
  /** VmRSS from /proc/<pid>/status, summed over the server processes. */
  rssKiB: number;
  /** V8 heap in use, as the server process reports it (after a full GC when asked). */
  heapUsedKiB: number;
}

export interface WorkloadContext {
  /** `app` or `baseline`. */
  kind: string;
  /** Signaling URLs of the server's node(s); peers of a pair are split across them. */
  urls: string[];
  /** Unique per run: prefixes stream ids. */
  tag: string;
  /** Counters now (reads /proc; synchronous and cheap). */
  usage(): Usage;
  /**
   * Starts or stops the CPU profile (--profile) and allocation profile (--alloc-profile) of the
   * measured phase; `label` goes into the file's name, `count` (messages) divides the allocations.
   */
  profile(on: boolean, label?: string, count?: number): Promise<void>;
  /** Server memory; with `gc` the server runs a full GC first (bench preload, `--expose-gc`). */
  memory(gc: boolean): Promise<ServerMemory>;
  log(message: string): void;
  /**
   * The server's event-loop delay (bench preload, perf_hooks.monitorEventLoopDelay every 1 ms):
   * 'enable'/'disable' around measured turns (it accumulates across them), 'report' returns it in ms
   * and resets it. Several nodes: the highest of each figure. NaN without the preload (--nodes).
   */
  loopDelay(action: 'enable' | 'disable' | 'report'): Promise<LoopDelay>;
  /** With --heap-snapshots: writes a heap snapshot of the (first) server process; returns its file. */
  heapSnapshot?(label: string): Promise<string>;
}

/** Named figures of one run of one workload against one server. */
export type Measurement = Record<string, number>;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `done()` holds, polling every 5 ms; false after `timeoutMs`. */
export async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/**
 * Which server each slice goes to when servers take turns: A B B A A B B A … for two (a drift in
 * the machine's load then favours neither), plain turns otherwise.
 */
export function turnOrder(servers: number, slicesEach: number): number[] {
  const order: number[] = [];
  for (let round = 0; round < slicesEach; round++) {
    for (let s = 0; s < servers; s++) order.push(servers === 2 && round % 2 === 1 ? 1 - s : s);
  }
  return order;
}
