import { BenchSocket } from '../lib/client';
import * as f from '../lib/frames';
import { followScript } from '../lib/script';
import { Samples } from '../lib/stats';
import { type Measurement, type WorkloadContext, UsageTotal, turnOrder } from './workload';

export interface SessionsOptions {
  /** Timed sessions per server. */
  sessions: number;
  /** Untimed sessions per server, run first (JIT warm-up). */
  warmup: number;
  /** Pairs in flight at once. */
  concurrency: number;
  sdpBytes: number;
  /** Candidates each way. */
  candidates: number;
  /** The timed sessions of each server are run in this many slices, the servers taking turns. */
  slices: number;
  /** A single session that takes longer fails the run. */
  sessionTimeoutMs: number;
}

/**
 * Workload (a): complete signaling sessions. Each session: two fresh sockets (peer A on node
 * i mod n, peer B on node i+1 mod n), A joins, then B joins (A gets `start`), A sends an offer and
 * its candidates, B answers with its own, then A leaves (B gets `stop`), B leaves, both close.
 * Every frame is checked for its exact shape and per-socket order. With two servers (app and
 * baseline, both running), the timed sessions go in slices, the servers taking turns (A B B A …),
 * so that both see the same moments of a noisy machine.
 */
export async function runSessions(contexts: WorkloadContext[], options: SessionsOptions): Promise<Measurement[]> {
  const offerSdp = f.fakeSdp(options.sdpBytes, 'offer');
  const answerSdp = f.fakeSdp(options.sdpBytes, 'answer');
  const candidatesA = Array.from({ length: options.candidates }, (_, k) => f.candidateLine(50_000 + k, `a${k}`));
  const candidatesB = Array.from({ length: options.candidates }, (_, k) => f.candidateLine(40_000 + k, `b${k}`));

  const session = async (context: WorkloadContext, index: number): Promise<number> => {
    const urls = context.urls;
    const begun = performance.now();
    const s = `${context.tag}-s${index}`;
    const [a, b] = await Promise.all([
      BenchSocket.connect(urls[index % urls.length]),
      BenchSocket.connect(urls[(index + 1) % urls.length]),
    ]);
    try {
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const timer = setTimeout(() => fail('session')(`timed out after ${options.sessionTimeoutMs} ms`), options.sessionTimeoutMs);
        const fail = (who: string) => (message: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(new Error(`${context.kind} ${s} peer ${who}: ${message}`));
        };
        let aReceivedAll = false;
        let bReceivedAll = false;
        let leaved = 0;
        const leaveWhenBothDone = (): void => {
          if (aReceivedAll && bReceivedAll) a.send(f.leave(s));
        };
        const onLeaved = (): void => {
          if (++leaved === 2 && !settled) {
            settled = true;
            clearTimeout(timer);
            resolve();
          }
        };
        followScript(
          a,
          [
            { expect: f.joined(s), then: () => b.send(f.join(s)) },
            {
              expect: f.start(s),
              then: () => {
                a.send(f.configuration(s, 'offer', offerSdp));
                for (const c of candidatesA) a.send(f.candidate(s, 0, '0', c));
              },
            },
            { expect: f.relayedConfiguration(s, 'answer', answerSdp) },
            ...candidatesB.map((c, k) => ({
              expect: f.relayedCandidate(s, 0, '0', c),
              then:
                k === candidatesB.length - 1
                  ? () => {
                      aReceivedAll = true;
                      leaveWhenBothDone();
                    }
                  : undefined,
            })),
            { expect: f.leaved(s), then: onLeaved },
          ],
          fail('A'),
        );
        followScript(
          b,
          [
            { expect: f.joined(s) },
            {
              expect: f.relayedConfiguration(s, 'offer', offerSdp),
              then: () => {
                b.send(f.configuration(s, 'answer', answerSdp));
                for (const c of candidatesB) b.send(f.candidate(s, 0, '0', c));
              },
            },
            ...candidatesA.map((c, k) => ({
              expect: f.relayedCandidate(s, 0, '0', c),
              then:
                k === candidatesA.length - 1
                  ? () => {
                      bReceivedAll = true;
                      leaveWhenBothDone();
                    }
                  : undefined,
            })),
            { expect: f.stop(s), then: () => b.send(f.leave(s)) },
            { expect: f.leaved(s), then: onLeaved },
          ],
          fail('B'),
        );
        a.send(f.join(s));
      });
    } catch (error) {
      a.terminate();
      b.terminate();
      throw error;
    }
    await Promise.all([a.close(), b.close()]);
    return performance.now() - begun;
  };

  const next = contexts.map(() => 0);
  /** Runs `count` sessions on one server, `concurrency` at a time. */
  const pool = async (c: number, count: number, latencies?: Samples): Promise<void> => {
    const end = next[c] + count;
    const worker = async (): Promise<void> => {
      while (next[c] < end) {
        const took = await session(contexts[c], next[c]++);
        latencies?.add(took);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, count) }, worker));
  };

  for (let c = 0; c < contexts.length; c++) await pool(c, options.warmup);
  const latencies = contexts.map(() => new Samples());
  const usage = contexts.map(() => new UsageTotal());
  const done = contexts.map(() => 0);
  const slices = Math.max(1, options.slices);
  await Promise.all(contexts.map((context) => context.profile(true)));
  for (const c of turnOrder(contexts.length, slices)) {
    const count = Math.min(Math.ceil(options.sessions / slices), options.sessions - done[c]);
    if (count <= 0) continue;
    const from = contexts[c].usage();
    await pool(c, count, latencies[c]);
    usage[c].add(from, contexts[c].usage());
    done[c] += count;
  }
  await Promise.all(contexts.map((context) => context.profile(false)));

  return contexts.map((_, c) => {
    const used = usage[c].total;
    const latency = latencies[c].summary();
    return {
      sessions_per_s: (1000 * done[c]) / used.wallMs,
      session_ms_p50: latency.p50,
      session_ms_p99: latency.p99,
      server_cpu_ms_per_session: used.serverCpuMs / done[c],
      server_main_cpu_ms_per_session: used.serverMainThreadCpuMs / done[c],
      server_cpu_pct: (100 * used.serverCpuMs) / used.wallMs,
      client_cpu_pct: (100 * used.clientCpuMs) / used.wallMs,
    };
  });
}
