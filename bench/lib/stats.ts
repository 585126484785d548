/** Small statistics helpers for the bench (no dependencies). */
import { PerformanceObserver, type RecordableHistogram, constants, createHistogram } from 'node:perf_hooks';

/** Percentile (0–100) of already sorted numbers, nearest-rank. NaN when empty. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function median(values: number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}

export function spread(values: number[]): { median: number; min: number; max: number } {
  const finite = values.filter((v) => Number.isFinite(v));
  return {
    median: median(finite),
    min: finite.length ? Math.min(...finite) : NaN,
    max: finite.length ? Math.max(...finite) : NaN,
  };
}

/** Growable list of latency samples (ms), summarised once at the end. */
export class Samples {
  private data = new Float64Array(1 << 16);
  private size = 0;

  add(value: number): void {
    if (this.size === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.size++] = value;
  }

  get count(): number {
    return this.size;
  }

  summary(): { count: number; p50: number; p95: number; p99: number; max: number } {
    const sorted = this.data.slice(0, this.size).sort();
    return {
      count: this.size,
      p50: percentileSorted(sorted, 50),
      p95: percentileSorted(sorted, 95),
      p99: percentileSorted(sorted, 99),
      max: this.size ? sorted[this.size - 1] : NaN,
    };
  }
}

export interface LoopDelay {
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** GC pauses that started inside the windows: total and longest (ms), how many, how many were full (mark-compact). */
  gcMs: number;
  gcMaxMs: number;
  gcCount: number;
  gcMajorCount: number;
  /** Length of the windows (ms). */
  windowMs: number;
  /** Intervals longer than the resolution + `stallMs`: [start (ms since the epoch), delay (ms)], at most 5,000. */
  stalls?: Array<[number, number]>;
  /** GC pauses of 1 ms or more: [start (ms since the epoch), pause (ms), kind (perf_hooks constants)], at most 5,000. */
  gcPauses?: Array<[number, number, number]>;
}

/**
 * Event-loop delay and GC pauses over chosen windows (a server's measured turns), in ms.
 * A timer every `resolutionMs` records the interval since its previous run in a `perf_hooks`
 * histogram (what `monitorEventLoopDelay` does with a libuv timer, but that histogram counts the
 * pause between `disable()` and `enable()` as one long interval unless reset, and cannot be merged);
 * each window's histogram is added to the total when the window ends. An idle loop gives intervals
 * of about the resolution: the delay reported is what exceeds it. Delays over `stallMs` are also
 * listed with their start time (`performance.timeOrigin` based, comparable between processes) for
 * `--pair-trace`. GC pauses come from a `PerformanceObserver` of `gc` entries (delivered a little
 * later, so kept until the report and matched to the windows by start time).
 */
export class LoopDelaySampler {
  private total: RecordableHistogram = createHistogram();
  private window: RecordableHistogram | undefined;
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private stalls: Array<[number, number]> = [];
  private windows: Array<[number, number]> = [];
  private gc: Array<[number, number, number]> = [];
  private observer: PerformanceObserver | undefined;

  constructor(
    readonly resolutionMs = 1,
    private readonly stallMs = 5,
  ) {}

  enable(): void {
    if (this.timer) return;
    if (!this.observer) {
      this.observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
          if (this.gc.length < 200_000) this.gc.push([entry.startTime, entry.duration, kind]);
        }
      });
      this.observer.observe({ entryTypes: ['gc'] });
    }
    this.window = createHistogram();
    this.last = performance.now();
    this.windows.push([this.last, Infinity]);
    this.timer = setInterval(() => this.sample(), this.resolutionMs);
    this.timer.unref();
  }

  disable(): void {
    if (!this.timer || !this.window) return;
    clearInterval(this.timer);
    this.sample(); // the interval up to now
    this.windows[this.windows.length - 1][1] = this.last;
    this.total.add(this.window);
    this.timer = undefined;
    this.window = undefined;
  }

  /** Figures of the windows so far (an open window is closed first); starts again from nothing. */
  report(): LoopDelay {
    this.disable();
    const h = this.total;
    const stalls = this.stalls;
    const windows = this.windows;
    const inWindow = (at: number): boolean => windows.some(([from, to]) => at >= from && at <= to);
    const pauses = this.gc.filter(([at]) => inWindow(at));
    this.total = createHistogram();
    this.stalls = [];
    this.windows = [];
    this.gc = [];
    const delay = (ns: number): number => Math.max(0, ns / 1e6 - this.resolutionMs);
    return {
      count: h.count,
      p50: h.count ? delay(h.percentile(50)) : NaN,
      p99: h.count ? delay(h.percentile(99)) : NaN,
      max: h.count ? delay(h.max) : NaN,
      gcMs: pauses.reduce((sum, [, ms]) => sum + ms, 0),
      gcMaxMs: pauses.reduce((max, [, ms]) => Math.max(max, ms), 0),
      gcCount: pauses.length,
      gcMajorCount: pauses.filter(([, , kind]) => kind === constants.NODE_PERFORMANCE_GC_MAJOR).length,
      windowMs: windows.reduce((sum, [from, to]) => sum + (to - from), 0),
      stalls,
      gcPauses: pauses
        .filter(([, ms]) => ms >= 1)
        .slice(0, 5000)
        .map(([at, ms, kind]): [number, number, number] => [performance.timeOrigin + at, ms, kind]),
    };
  }

  private sample(): void {
    const now = performance.now();
    const interval = now - this.last;
    this.window?.record(Math.max(1, Math.round(interval * 1e6)));
    const delay = interval - this.resolutionMs;
    if (delay > this.stallMs && this.stalls.length < 5000) this.stalls.push([performance.timeOrigin + this.last, delay]);
    this.last = now;
  }
}
