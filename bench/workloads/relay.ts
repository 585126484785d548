import type { BenchSocket } from '../lib/client';
import { candidateLine } from '../lib/frames';
import { closePairs, openPairs } from '../lib/pairs';
import { Samples } from '../lib/stats';
import { type Measurement, type WorkloadContext, sleep, waitUntil } from './workload';

export interface RelayOptions {
  /** Established pairs the candidates flow over. */
  pairs: number;
  /** Offered rate of the fixed-rate phase, messages per second over all senders. */
  rate: number;
  /** Measured seconds of each phase. */
  seconds: number;
  /** Unmeasured seconds before each phase's window. */
  warmupSeconds: number;
  /** Candidates circulating per pair in the max-rate phase (closed loop). */
  window: number;
}

interface Peer {
  socket: BenchSocket;
  streamId: string;
  /** `{"command":"takeCandidate",…,"candidate":"<line> ` — the rest is `<seq> <sent at>"}`. */
  framePrefix: string;
  /** What the partner's candidates start with. */
  expectPrefix: string;
  partner: Peer;
  sentSeq: number;
  expectSeq: number;
}

/**
 * Workload (b): candidate relay over established pairs. Each candidate carries a sequence number
 * and the sender's `performance.now()`; the receiver (same process, same clock) checks the frame's
 * command/streamId/label/id, the sender's order, and records the latency.
 * Phase 1: a fixed offered rate (open loop, spread over every peer by a 1 ms ticker).
 * Phase 2: max rate (closed loop: `window` candidates per pair, each receipt answered by a send).
 */
export async function runRelay(context: WorkloadContext, options: RelayOptions): Promise<Measurement> {
  const pairs = await openPairs(context.urls, (i) => `${context.tag}-r${i}`, options.pairs, 50);
  try {
    const peers: Peer[] = [];
    for (const [i, pair] of pairs.entries()) {
      const a = peer(pair.a, pair.streamId, candidateLine(10_000 + i, 'a'));
      const b = peer(pair.b, pair.streamId, candidateLine(20_000 + i, 'b'));
      a.partner = b;
      b.partner = a;
      a.expectPrefix = b.framePrefix.slice(b.framePrefix.indexOf('"candidate":"') + 13);
      b.expectPrefix = a.framePrefix.slice(a.framePrefix.indexOf('"candidate":"') + 13);
      peers.push(a, b);
    }

    let sent = 0;
    let received = 0;
    let measuring = false;
    let measured = 0;
    let closedLoop = false;
    let failure: string | undefined;
    let samples = new Samples();

    const send = (from: Peer): void => {
      from.socket.send(`${from.framePrefix}${from.sentSeq++} ${performance.now()}"}`);
      sent++;
    };
    for (const p of peers) {
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
          failure ??= `unexpected frame on ${p.streamId}: ${raw.slice(0, 160)}`;
          return;
        }
        const tsAt = text.lastIndexOf(' ');
        const seq = Number(text.slice(text.lastIndexOf(' ', tsAt - 1) + 1, tsAt));
        if (seq !== p.expectSeq) failure ??= `${p.streamId}: candidate ${seq} arrived, expected ${p.expectSeq} (order)`;
        p.expectSeq = seq + 1;
        received++;
        if (measuring) {
          samples.add(now - Number(text.slice(tsAt + 1)));
          measured++;
        }
        if (closedLoop) send(p);
      };
    }

    const drain = async (): Promise<void> => {
      if (!(await waitUntil(() => received === sent || failure !== undefined, 10_000))) {
        failure ??= `${sent - received} candidate(s) never arrived`;
      }
    };
    const measure = async () => {
      await sleep(options.warmupSeconds * 1000);
      samples = new Samples();
      measured = 0;
      const window = await context.begin();
      measuring = true;
      await sleep(options.seconds * 1000);
      measuring = false;
      const used = await window.end();
      const latency = samples.summary();
      return { used, latency, rate: (measured * 1000) / used.wallMs };
    };

    // Phase 1: fixed offered rate.
    const startedAt = performance.now();
    let next = 0;
    const ticker = setInterval(() => {
      const due = Math.floor(((performance.now() - startedAt) * options.rate) / 1000);
      while (sent < due) send(peers[next++ % peers.length]);
    }, 1);
    const fixed = await measure();
    clearInterval(ticker);
    await drain();

    // Phase 2: max rate, closed loop.
    closedLoop = true;
    for (const pair of peers.filter((_, i) => i % 2 === 0)) for (let k = 0; k < options.window; k++) send(pair);
    const max = await measure();
    closedLoop = false;
    await drain();
    if (failure) throw new Error(failure);

    return {
      fixed_msgs_per_s: fixed.rate,
      fixed_p50_ms: fixed.latency.p50,
      fixed_p95_ms: fixed.latency.p95,
      fixed_p99_ms: fixed.latency.p99,
      fixed_server_cpu_us_per_msg: (1000 * fixed.used.serverCpuMs) / Math.max(1, fixed.latency.count),
      fixed_server_cpu_pct: (100 * fixed.used.serverCpuMs) / fixed.used.wallMs,
      max_msgs_per_s: max.rate,
      max_p50_ms: max.latency.p50,
      max_p99_ms: max.latency.p99,
      max_server_cpu_us_per_msg: (1000 * max.used.serverCpuMs) / Math.max(1, max.latency.count),
      max_server_cpu_pct: (100 * max.used.serverCpuMs) / max.used.wallMs,
      max_client_cpu_pct: (100 * max.used.clientCpuMs) / max.used.wallMs,
    };
  } finally {
    await closePairs(pairs);
  }
}

function peer(socket: BenchSocket, streamId: string, line: string): Peer {
  const head = JSON.stringify({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate: line });
  return {
    socket,
    streamId,
    framePrefix: `${head.slice(0, -2)} `,
    expectPrefix: '',
    partner: undefined as unknown as Peer,
    sentSeq: 0,
    expectSeq: 0,
  };
}
