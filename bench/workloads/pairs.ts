import { writeFileSync } from 'node:fs';
import type { BenchSocket } from '../lib/client';
import { candidateLine } from '../lib/frames';
import { type Pair, closePairs, openPairs } from '../lib/pairs';
import { type LoopDelay, LoopDelaySampler, Samples } from '../lib/stats';
import { type Measurement, type WorkloadContext, UsageTotal, turnOrder, waitUntil } from './workload';

/** One load shape: `pairs` established calls, each of the two peers sending `rate` candidates/s to the other. */
export interface PairLoad {
  pairs: number;
  rate: number;
}

export interface PairsOptions {
  /** Run one after the other, each on its own pairs (opened before, closed after). */
  loads: PairLoad[];
  /** Measured seconds per server and load. */
  seconds: number;
  /** Unmeasured seconds per server and load, before the measured turns. */
  warmupSeconds: number;
  /** Length of one turn of a server. */
  turnMs: number;
  /** Period of the load generator's timer wheel: each tick sends every candidate that is due. */
  tickMs: number;
  /**
   * With `--pair-trace`: the file for one load and server, where the measured turns, the slow
   * candidates (over SLOW_MS), both event loops' stalls (over 5 ms) and both processes' GC pauses
   * (1 ms or more) are written, times in ms since the epoch.
   */
  trace?: (load: string, kind: string) => string;
}

/** Prefix of a load's figures in the Measurement: `500x20_p99_ms`. */
export const pairLoadKey = (load: PairLoad): string => `${load.pairs}x${load.rate}`;

/** Resolution of the event-loop delay histograms (ms), server and load generator alike. */
const LOOP_RESOLUTION_MS = 1;
/** `--pair-trace` lists candidates slower than this (ms). */
const SLOW_MS = 5;

interface Peer {
  socket: BenchSocket;
  streamId: string;
  /** `{"command":"takeCandidate",…,"candidate":"<line> ` — the rest is `<seq> <sent at>"}`. */
  framePrefix: string;
  /** What the partner's candidates start with. */
  expectPrefix: string;
  sentSeq: number;
  expectSeq: number;
}

/** One server's pairs and counters for the load being run. */
interface Side {
  context: WorkloadContext;
  pairs: Pair[];
  /** Senders in schedule order: every A, then every B (a pair's two directions half a period apart). */
  senders: Peer[];
  sent: number;
  received: number;
  measuring: boolean;
  latency: Samples;
  /** How late each candidate left the generator (actual send time − due time), measured turns only. */
  sendLag: Samples;
  /** The load generator's own event-loop delay, during this server's measured turns only. */
  clientLoop: LoopDelaySampler;
  usage: UsageTotal;
  activeMs: number;
  delivered: number;
  failure?: string;
  /** With a trace: [sent at (ms since the epoch), latency (ms), receiving peer (A: 0…N−1, B: N…2N−1)], at most 100,000. */
  slow?: Array<[number, number, number]>;
  /** With a trace: measured turns, [start, end] (ms since the epoch). */
  turns?: Array<[number, number]>;
}

/**
 * Workload (d): many established pairs at a modest rate each, open loop. Each of the 2·N peers sends
 * `rate` candidates/s to its partner; the candidates of all senders are spread evenly in time (slot j
 * is due at j / (2·N·rate) s from the start of the turn and belongs to sender j mod 2·N, so each pair
 * has its own phase and its two directions are half a period apart). One timer wheel ticking every
 * `tickMs` sends whatever is due, each candidate stamped with the actual `performance.now()` of its
 * send; the receiving peer (same process, same clock) checks the frame and the sender's order and
 * records the latency. Servers take turns (A B B A …) of `turnMs`, each turn ending once all of its
 * candidates have arrived; during a server's measured turns its event-loop delay (preload) and the
 * load generator's are recorded, with both processes' CPU.
 */
export async function runPairs(contexts: WorkloadContext[], options: PairsOptions): Promise<Measurement[]> {
  const results: Measurement[] = contexts.map(() => ({}));
  for (const [index, load] of options.loads.entries()) {
    const figures = await runLoad(contexts, options, load, index);
    figures.forEach((f, s) => Object.assign(results[s], f));
  }
  return results;
}

async function runLoad(contexts: WorkloadContext[], options: PairsOptions, load: PairLoad, index: number): Promise<Measurement[]> {
  const key = pairLoadKey(load);
  const sides: Side[] = [];
  const totalRate = 2 * load.pairs * load.rate;
  const slotMs = 1000 / totalRate;
  let active: Side | undefined;
  let turnStart = 0;
  let slot = 0;
  let slots = 0;
  let endOfTurn: (() => void) | undefined;
  const tick = (): void => {
    const side = active;
    if (!side) return;
    const senders = side.senders;
    let now = performance.now();
    for (; slot < slots && turnStart + slot * slotMs <= now; slot++) {
      const from = senders[slot % senders.length];
      now = performance.now();
      from.socket.send(`${from.framePrefix}${from.sentSeq++} ${now}"}`);
      side.sent++;
      if (side.measuring) side.sendLag.add(now - (turnStart + slot * slotMs));
    }
    if (slot === slots) {
      active = undefined;
      endOfTurn?.();
    }
  };
  const ticker = setInterval(tick, options.tickMs);
  try {
    for (const context of contexts) {
      const side: Side = {
        context,
        pairs: [],
        senders: [],
        sent: 0,
        received: 0,
        measuring: false,
        latency: new Samples(),
        sendLag: new Samples(),
        clientLoop: new LoopDelaySampler(LOOP_RESOLUTION_MS),
        usage: new UsageTotal(),
        activeMs: 0,
        delivered: 0,
        slow: options.trace ? [] : undefined,
        turns: options.trace ? [] : undefined,
      };
      sides.push(side);
      const opened = performance.now();
      side.pairs = await openPairs(context.urls, (i) => `${context.tag}-l${index}-${i}`, load.pairs, 50);
      context.log(`${key}: ${load.pairs} pairs open in ${((performance.now() - opened) / 1000).toFixed(1)} s`);
      const as: Peer[] = [];
      const bs: Peer[] = [];
      for (const [i, pair] of side.pairs.entries()) {
        const a = peer(pair.a, pair.streamId, candidateLine(10_000 + i, 'a'));
        const b = peer(pair.b, pair.streamId, candidateLine(20_000 + i, 'b'));
        a.expectPrefix = b.framePrefix.slice(b.framePrefix.indexOf('"candidate":"') + 13);
        b.expectPrefix = a.framePrefix.slice(a.framePrefix.indexOf('"candidate":"') + 13);
        listen(side, a, i);
        listen(side, b, load.pairs + i);
        as.push(a);
        bs.push(b);
      }
      side.senders = [...as, ...bs];
    }

    const turn = async (s: number, measure: boolean): Promise<void> => {
      const side = sides[s];
      if (measure) {
        await side.context.loopDelay('enable');
        side.clientLoop.enable();
      }
      const from = side.context.usage();
      const received0 = side.received;
      side.measuring = measure;
      const ended = new Promise<void>((resolve) => (endOfTurn = resolve));
      slot = 0;
      slots = Math.round(options.turnMs / slotMs);
      turnStart = performance.now();
      active = side;
      await ended;
      const activeMs = performance.now() - turnStart;
      if (measure) side.turns?.push([performance.timeOrigin + turnStart, performance.timeOrigin + performance.now()]);
      if (!(await waitUntil(() => side.received === side.sent || side.failure !== undefined, 10_000))) {
        side.failure ??= `${side.sent - side.received} candidate(s) never arrived`;
      }
      if (side.failure) throw new Error(`${side.context.kind}: ${key}: ${side.failure}`);
      const to = side.context.usage();
      side.measuring = false;
      if (!measure) return;
      side.clientLoop.disable();
      await side.context.loopDelay('disable');
      side.usage.add(from, to);
      side.activeMs += activeMs;
      side.delivered += side.received - received0;
    };

    for (const s of turnOrder(sides.length, Math.ceil((options.warmupSeconds * 1000) / options.turnMs))) await turn(s, false);
    await Promise.all(contexts.map((context) => context.profile(true)));
    for (const s of turnOrder(sides.length, Math.ceil((options.seconds * 1000) / options.turnMs))) await turn(s, true);
    await Promise.all(sides.map((side) => side.context.profile(false, key, side.delivered)));

    const figures: Measurement[] = [];
    for (const side of sides) {
      const latency = side.latency.summary();
      const lag = side.sendLag.summary();
      const server: LoopDelay = await side.context.loopDelay('report');
      const client = side.clientLoop.report();
      if (options.trace) {
        const file = options.trace(key, side.context.kind);
        writeFileSync(
          file,
          JSON.stringify({
            load,
            kind: side.context.kind,
            turns: side.turns,
            slow: side.slow,
            serverStalls: server.stalls,
            serverGc: server.gcPauses,
            clientStalls: client.stalls,
            clientGc: client.gcPauses,
          }),
        );
        side.context.log(`${key}: trace ${file}`);
      }
      const total = side.usage.total;
      const perMsg = (ms: number): number => (1000 * ms) / Math.max(1, side.delivered);
      figures.push({
        [`${key}_msgs_per_s`]: (1000 * side.delivered) / side.activeMs,
        [`${key}_p50_ms`]: latency.p50,
        [`${key}_p95_ms`]: latency.p95,
        [`${key}_p99_ms`]: latency.p99,
        [`${key}_max_ms`]: latency.max,
        [`${key}_server_cpu_us_per_msg`]: perMsg(total.serverCpuMs),
        [`${key}_server_main_cpu_us_per_msg`]: perMsg(total.serverMainThreadCpuMs),
        [`${key}_server_cpu_pct`]: (100 * total.serverCpuMs) / total.wallMs,
        [`${key}_server_loop_p50_ms`]: server.p50,
        [`${key}_server_loop_p99_ms`]: server.p99,
        [`${key}_server_loop_max_ms`]: server.max,
        [`${key}_server_gc_ms_per_s`]: (1000 * server.gcMs) / server.windowMs,
        [`${key}_server_gc_max_ms`]: server.gcMaxMs,
        [`${key}_server_gc_major`]: server.gcMajorCount,
        [`${key}_client_cpu_pct`]: (100 * total.clientCpuMs) / total.wallMs,
        [`${key}_client_loop_p99_ms`]: client.p99,
        [`${key}_client_loop_max_ms`]: client.max,
        [`${key}_client_gc_ms_per_s`]: (1000 * client.gcMs) / client.windowMs,
        [`${key}_send_lag_p99_ms`]: lag.p99,
        [`${key}_send_lag_max_ms`]: lag.max,
      });
    }
    return figures;
  } finally {
    clearInterval(ticker);
    active = undefined;
    for (const side of sides) side.clientLoop.disable();
    await Promise.all(sides.map((side) => closePairs(side.pairs)));
  }
}

function listen(side: Side, p: Peer, index: number): void {
  p.socket.onFrame = (raw) => {
    const now = performance.now();
    const frame = JSON.parse(raw) as Record<string, unknown>;
    const text = frame.candidate;
    if (
      frame.command !== 'takeCandidate' ||
      frame.streamId !== p.streamId ||
      frame.label !== 0 ||
      frame.id !== '0' ||
      typeof text !== 'string' ||
      !text.startsWith(p.expectPrefix)
    ) {
      side.failure ??= `unexpected frame on ${p.streamId}: ${raw.slice(0, 160)}`;
      return;
    }
    const tsAt = text.lastIndexOf(' ');
    const seq = Number(text.slice(text.lastIndexOf(' ', tsAt - 1) + 1, tsAt));
    if (seq !== p.expectSeq) side.failure ??= `${p.streamId}: candidate ${seq} arrived, expected ${p.expectSeq} (order)`;
    p.expectSeq = seq + 1;
    side.received++;
    if (!side.measuring) return;
    const sentAt = Number(text.slice(tsAt + 1));
    side.latency.add(now - sentAt);
    if (side.slow && now - sentAt > SLOW_MS && side.slow.length < 100_000) {
      side.slow.push([performance.timeOrigin + sentAt, now - sentAt, index]);
    }
  };
}

function peer(socket: BenchSocket, streamId: string, line: string): Peer {
  const head = JSON.stringify({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: line });
  return { socket, streamId, framePrefix: `${head.slice(0, -2)} `, expectPrefix: '', sentSeq: 0, expectSeq: 0 };
}
