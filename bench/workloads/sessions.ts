import { BenchSocket } from '../lib/client';
import * as f from '../lib/frames';
import { followScript } from '../lib/script';
import { Samples } from '../lib/stats';
import type { Measurement, WorkloadContext } from './workload';

export interface SessionsOptions {
  /** Timed sessions. */
  sessions: number;
  /** Untimed sessions run first (JIT warm-up). */
  warmup: number;
  /** Pairs in flight at once. */
  concurrency: number;
  sdpBytes: number;
  /** Candidates each way. */
  candidates: number;
  /** A single session that takes longer fails the run. */
  sessionTimeoutMs: number;
}

/**
 * Workload (a): complete signaling sessions. Each session: two fresh sockets (peer A on node
 * i mod n, peer B on node i+1 mod n), A joins, then B joins (A gets `start`), A sends an offer and
 * its candidates, B answers with its own, then A leaves (B gets `stop`), B leaves, both close.
 * Every frame is checked for its exact shape and per-socket order.
 */
export async function runSessions(context: WorkloadContext, options: SessionsOptions): Promise<Measurement> {
  const offerSdp = f.fakeSdp(options.sdpBytes, 'offer');
  const answerSdp = f.fakeSdp(options.sdpBytes, 'answer');
  const candidatesA = Array.from({ length: options.candidates }, (_, k) => f.candidateLine(50_000 + k, `a${k}`));
  const candidatesB = Array.from({ length: options.candidates }, (_, k) => f.candidateLine(40_000 + k, `b${k}`));
  const urls = context.urls;

  const session = async (index: number): Promise<number> => {
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
          reject(new Error(`${s} peer ${who}: ${message}`));
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

  const pool = async (first: number, count: number, latencies?: Samples): Promise<void> => {
    let next = first;
    const end = first + count;
    const worker = async (): Promise<void> => {
      while (next < end) {
        const took = await session(next++);
        latencies?.add(took);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, count) }, worker));
  };

  await pool(0, options.warmup);
  const latencies = new Samples();
  const window = await context.begin();
  await pool(options.warmup, options.sessions, latencies);
  const used = await window.end();
  const seconds = used.wallMs / 1000;
  const latency = latencies.summary();
  return {
    sessions_per_s: options.sessions / seconds,
    session_ms_p50: latency.p50,
    session_ms_p99: latency.p99,
    server_cpu_ms_per_session: used.serverCpuMs / options.sessions,
    server_cpu_pct: (100 * used.serverCpuMs) / used.wallMs,
    client_cpu_pct: (100 * used.clientCpuMs) / used.wallMs,
  };
}
