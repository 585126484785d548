import type { BenchSocket } from '../lib/client';
import { candidateLine } from '../lib/frames';
import { type Pair, closePairs, openPairs } from '../lib/pairs';
import { Samples } from '../lib/stats';
import { type Measurement, type WorkloadContext, UsageTotal, sleep, turnOrder, waitUntil } from './workload';

export interface RelayOptions {
  /** Established pairs the candidates flow over (per server). */
  pairs: number;
  /** Offered rate of the fixed-rate phase, messages per second over all senders. */
  rate: number;
  /** Measured seconds of each phase, per server. */
  seconds: number;
  /** Unmeasured seconds before each phase, per server. */
  warmupSeconds: number;
  /** Candidates circulating per pair in the max-rate phase (closed loop). */
  window: number;
  /** Length of one turn of a server in the fixed-rate phase. */
  fixedSliceMs: number;
  /** Length of one turn of a server in the max-rate phase. */
  maxSliceMs: number;
}

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

/** One server's pairs and counters. */
interface Side {
  context: WorkloadContext;
  pairs: Pair[];
  peers: Peer[];
  sent: number;
  received: number;
  measuring: boolean;
  closedLoop: boolean;
  samples: Samples;
  nextPeer: number;
  failure?: string;
}

/**
 * Workload (b): candidate relay over established pairs. Each candidate carries a sequence number
 * and the sender's `performance.now()`; the receiver (same process, same clock) checks the frame's
 * command/streamId/label/id, the sender's order, and records the latency.
 * Phase 1: a fixed offered rate (open loop, spread over every peer by a 1 ms ticker).
 * Phase 2: max rate (closed loop: `window` candidates per pair, each receipt answered by a send).
 * With two servers, each phase alternates short turns between them (A B B A …, 0.5 s and 1 s), each
 * turn ending once its candidates have all arrived, so both see the same moments of a noisy machine.
 */
export async function runRelay(contexts: WorkloadContext[], options: RelayOptions): Promise<Measurement[]> {
  const sides: Side[] = [];
  try {
    for (const context of contexts) {
      const side: Side = {
        context,
        pairs: [],
        peers: [],
        sent: 0,
        received: 0,
        measuring: false,
        closedLoop: false,
        samples: new Samples(),
        nextPeer: 0,
      };
      sides.push(side);
      side.pairs = await openPairs(context.urls, (i) => `${context.tag}-r${i}`, options.pairs, 50);
      for (const [i, pair] of side.pairs.entries()) {
        const a = peer(pair.a, pair.streamId, candidateLine(10_000 + i, 'a'));
        const b = peer(pair.b, pair.streamId, candidateLine(20_000 + i, 'b'));
        a.expectPrefix = b.framePrefix.slice(b.framePrefix.indexOf('"candidate":"') + 13);
        b.expectPrefix = a.framePrefix.slice(a.framePrefix.indexOf('"candidate":"') + 13);
        listen(side, a);
        listen(side, b);
        side.peers.push(a, b);
      }
    }

    const drain = async (side: Side): Promise<void> => {
      if (!(await waitUntil(() => side.received === side.sent || side.failure !== undefined, 10_000))) {
        side.failure ??= `${side.sent - side.received} candidate(s) never arrived`;
      }
      if (side.failure) throw new Error(`${side.context.kind}: ${side.failure}`);
    };

    // Phase 1: fixed offered rate, one server at a time.
    let active: Side | undefined;
    let windowStart = 0;
    let sentInWindow = 0;
    const ticker = setInterval(() => {
      if (!active) return;
      const due = Math.floor(((performance.now() - windowStart) * options.rate) / 1000);
      for (; sentInWindow < due; sentInWindow++) send(active, active.peers[active.nextPeer++ % active.peers.length]);
    }, 1);
    const fixed = sides.map(() => ({ usage: new UsageTotal(), activeMs: 0, delivered: 0 }));
    const fixedTurn = async (s: number, measure: boolean): Promise<void> => {
      const side = sides[s];
      const from = side.context.usage();
      const received0 = side.received;
      side.measuring = measure;
      windowStart = performance.now();
      sentInWindow = 0;
      active = side;
      await sleep(options.fixedSliceMs);
      active = undefined;
      const activeMs = performance.now() - windowStart;
      await drain(side);
      side.measuring = false;
      if (!measure) return;
      fixed[s].usage.add(from, side.context.usage());
      fixed[s].activeMs += activeMs;
      fixed[s].delivered += side.received - received0;
    };
    try {
      const warmTurns = Math.ceil((options.warmupSeconds * 1000) / options.fixedSliceMs);
      for (const s of turnOrder(sides.length, warmTurns)) await fixedTurn(s, false);
      for (const side of sides) side.samples = new Samples();
      await Promise.all(contexts.map((context) => context.profile(true)));
      for (const s of turnOrder(sides.length, Math.ceil((options.seconds * 1000) / options.fixedSliceMs))) await fixedTurn(s, true);
    } finally {
      clearInterval(ticker);
    }
    const fixedLatency = sides.map((side) => side.samples.summary());

    // Phase 2: max rate, closed loop, one server at a time.
    const max = sides.map(() => ({ usage: new UsageTotal(), activeMs: 0, delivered: 0 }));
    const maxTurn = async (s: number, measure: boolean): Promise<void> => {
      const side = sides[s];
      const from = side.context.usage();
      side.measuring = measure;
      side.closedLoop = true;
      const started = performance.now();
      const received0 = side.received;
      for (let p = 0; p < side.peers.length; p += 2) for (let k = 0; k < options.window; k++) send(side, side.peers[p]);
      await sleep(options.maxSliceMs);
      side.closedLoop = false;
      const delivered = side.received - received0;
      const activeMs = performance.now() - started;
      await drain(side);
      side.measuring = false;
      if (!measure) return;
      max[s].usage.add(from, side.context.usage());
      max[s].activeMs += activeMs;
      max[s].delivered += delivered;
    };
    for (const side of sides) side.samples = new Samples();
    const warmTurns = Math.ceil((options.warmupSeconds * 1000) / options.maxSliceMs);
    for (const s of turnOrder(sides.length, warmTurns)) await maxTurn(s, false);
    for (const side of sides) side.samples = new Samples();
    for (const s of turnOrder(sides.length, Math.ceil((options.seconds * 1000) / options.maxSliceMs))) await maxTurn(s, true);
    await Promise.all(contexts.map((context) => context.profile(false)));
    const maxLatency = sides.map((side) => side.samples.summary());

    return sides.map((_, s) => {
      const f = fixed[s];
      const m = max[s];
      return {
        fixed_msgs_per_s: (1000 * f.delivered) / f.activeMs,
        fixed_p50_ms: fixedLatency[s].p50,
        fixed_p95_ms: fixedLatency[s].p95,
        fixed_p99_ms: fixedLatency[s].p99,
        fixed_server_cpu_us_per_msg: (1000 * f.usage.total.serverCpuMs) / Math.max(1, f.delivered),
        fixed_server_cpu_pct: (100 * f.usage.total.serverCpuMs) / f.usage.total.wallMs,
        max_msgs_per_s: (1000 * m.delivered) / m.activeMs,
        max_p50_ms: maxLatency[s].p50,
        max_p99_ms: maxLatency[s].p99,
        max_server_cpu_us_per_msg: (1000 * m.usage.total.serverCpuMs) / Math.max(1, maxLatency[s].count),
        max_server_main_cpu_us_per_msg: (1000 * m.usage.total.serverMainThreadCpuMs) / Math.max(1, maxLatency[s].count),
        max_server_cpu_pct: (100 * m.usage.total.serverCpuMs) / m.usage.total.wallMs,
        max_client_cpu_pct: (100 * m.usage.total.clientCpuMs) / m.usage.total.wallMs,
      };
    });
  } finally {
    await Promise.all(sides.map((side) => closePairs(side.pairs)));
  }
}

function send(side: Side, from: Peer): void {
  from.socket.send(`${from.framePrefix}${from.sentSeq++} ${performance.now()}"}`);
  side.sent++;
}

function listen(side: Side, p: Peer): void {
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
    if (side.measuring) side.samples.add(now - Number(text.slice(tsAt + 1)));
    if (side.closedLoop) send(side, p); // answer: keeps the pair's candidates circulating
  };
}

function peer(socket: BenchSocket, streamId: string, line: string): Peer {
  const head = JSON.stringify({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: line });
  return { socket, streamId, framePrefix: `${head.slice(0, -2)} `, expectPrefix: '', sentSeq: 0, expectSeq: 0 };
}
