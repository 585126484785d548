/**
 * Preloaded into each server the bench starts (`node --expose-gc -r bench/.build/server-preload.js`),
 * app and baseline alike. Answers the bench over the IPC channel:
 *   {id, cmd:'memory', gc}            -> {id, heapUsed, rss}   (full GC first when gc is true)
 *   {id, cmd:'profile-start', interval} / {id, cmd:'profile-stop', file}  (V8 CPU profile, .cpuprofile)
 *   {id, cmd:'heap-snapshot', file}   (V8 heap snapshot, after a full GC; see bench/heap-summary.ts)
 *   {id, cmd:'alloc-start'} / {id, cmd:'alloc-stop', file}  (V8 sampling heap profile, .heapprofile,
 *       objects collected by minor and major GCs included: every allocation, garbage too; see
 *       bench/allocation-summary.ts)
 *   {id, cmd:'loop-delay', action:'enable'|'disable'|'report', resolution}
 *       event-loop delay (bench/lib/stats.ts LoopDelaySampler: a timer every `resolution` ms, 1 by
 *       default, recording the interval between its runs in a perf_hooks histogram): enabled during
 *       the measured turns only, accumulated across them; 'report' returns {count, p50, p99, max} in
 *       ms (the delay beyond the timer's interval) and starts again from nothing. Nothing runs until
 *       the first 'enable'.
 * `node --cpu-prof` only writes its profile at a normal exit, but the app exits by re-raising the
 * signal after Nest's shutdown hooks, and the bench wants the measured window only: the inspector
 * Profiler gives the same file format. When the bench goes away, the server is stopped.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { writeHeapSnapshot } from 'node:v8';
import { LoopDelaySampler } from './lib/stats';

interface Request {
  id: number;
  cmd: 'memory' | 'profile-start' | 'profile-stop' | 'heap-snapshot' | 'loop-delay' | 'alloc-start' | 'alloc-stop';
  action?: 'enable' | 'disable' | 'report';
  resolution?: number;
  gc?: boolean;
  interval?: number;
  file?: string;
}

if (process.send) {
  let session: Session | undefined;
  let allocSession: Session | undefined;
  let loopDelay: LoopDelaySampler | undefined;
  const reply = (id: number, body: Record<string, unknown> = {}): void => {
    process.send?.({ id, ...body });
  };
  const postTo = (to: Session, method: string, params?: object): Promise<any> => // eslint-disable-line @typescript-eslint/no-explicit-any
    new Promise((resolve, reject) => to.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  const post = (method: string, params?: object): Promise<any> => postTo(session!, method, params); // eslint-disable-line @typescript-eslint/no-explicit-any
  process.on('message', (request: Request) => {
    void (async () => {
      try {
        switch (request.cmd) {
          case 'memory': {
            const gc = (globalThis as { gc?: () => void }).gc;
            if (request.gc && gc) {
              gc();
              gc();
            }
            const usage = process.memoryUsage();
            return reply(request.id, { heapUsed: usage.heapUsed, rss: usage.rss });
          }
          case 'profile-start':
            session = new Session();
            session.connect();
            await post('Profiler.enable');
            await post('Profiler.setSamplingInterval', { interval: request.interval ?? 250 });
            await post('Profiler.start');
            return reply(request.id);
          case 'alloc-start':
            allocSession = new Session();
            allocSession.connect();
            await postTo(allocSession, 'HeapProfiler.enable');
            await postTo(allocSession, 'HeapProfiler.startSampling', {
              samplingInterval: 1024,
              // BENCH_ALLOC_PROMOTED=1: leave out what scavenges collected, i.e. keep what survived
              // the young generation (promoted: what makes the old generation grow and full GCs run)
              includeObjectsCollectedByMajorGC: true,
              includeObjectsCollectedByMinorGC: process.env.BENCH_ALLOC_PROMOTED !== '1',
            });
            return reply(request.id);
          case 'alloc-stop': {
            const { profile } = await postTo(allocSession!, 'HeapProfiler.stopSampling');
            writeFileSync(request.file!, JSON.stringify(profile));
            allocSession?.disconnect();
            allocSession = undefined;
            return reply(request.id);
          }
          case 'heap-snapshot':
            (globalThis as { gc?: () => void }).gc?.();
            writeHeapSnapshot(request.file);
            return reply(request.id);
          case 'loop-delay': {
            const resolution = request.resolution ?? 1;
            if (!loopDelay || loopDelay.resolutionMs !== resolution) loopDelay = new LoopDelaySampler(resolution);
            if (request.action === 'enable') loopDelay.enable();
            else if (request.action === 'disable') loopDelay.disable();
            else if (request.action === 'report') return reply(request.id, { ...loopDelay.report() });
            return reply(request.id);
          }
          case 'profile-stop': {
            const { profile } = await post('Profiler.stop');
            writeFileSync(request.file!, JSON.stringify(profile));
            session?.disconnect();
            session = undefined;
            return reply(request.id);
          }
        }
      } catch (error) {
        reply(request.id, { error: (error as Error).message });
      }
    })();
  });
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

