/** What run.ts gives a workload, and what a workload returns. */

export interface WindowUsage {
  wallMs: number;
  /** CPU time (user + system) of the server process(es) during the window. */
  serverCpuMs: number;
  /** CPU time of the load generator (this process) during the window. */
  clientCpuMs: number;
}

export interface MeasureWindow {
  end(): Promise<WindowUsage>;
}

export interface ServerMemory {
  /** VmRSS from /proc/<pid>/status, summed over the server processes. */
  rssKiB: number;
  /** V8 heap in use, as the server process reports it (after a full GC when asked). */
  heapUsedKiB: number;
}

export interface WorkloadContext {
  /** Signaling URLs of the server's node(s); peers of a pair are split across them. */
  urls: string[];
  /** Unique per run: prefixes stream ids. */
  tag: string;
  /** Starts the measured window (CPU accounting, and the CPU profile when asked). */
  begin(): Promise<MeasureWindow>;
  /** Server memory; with `gc` the server runs a full GC first (bench preload, `--expose-gc`). */
  memory(gc: boolean): Promise<ServerMemory>;
  log(message: string): void;
  /** With --heap-snapshots: writes a heap snapshot of the (first) server process; returns its file. */
  heapSnapshot?(label: string): Promise<string>;
}

/** Named figures of one run of one workload against one server. */
export type Measurement = Record<string, number>;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `done()` holds, polling every 20 ms; false after `timeoutMs`. */
export async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}
