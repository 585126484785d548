/**
 * `npm run bench` — the app against a bare `ws` baseline relay, same workloads, same run.
 * See bench/README.md for the workloads, options and how to read the table.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { formatAllocations, summariseAllocations } from './allocation-summary';
import { formatSummary, summarise } from './cpuprofile-summary';
import { APP_BENCH_ENV, type ServerKind, ServerProcess } from './lib/server-process';
import { type LoopDelay, spread } from './lib/stats';
import { runIdle } from './workloads/idle';
import { type PairLoad, pairLoadKey, runPairs } from './workloads/pairs';
import { runRelay } from './workloads/relay';
import { runSessions } from './workloads/sessions';
import type { Measurement, ServerMemory, WorkloadContext } from './workloads/workload';

const ROOT = join(__dirname, '..', '..');
const WORKLOADS = ['sessions', 'relay', 'pairs', 'idle'] as const;
type Workload = (typeof WORKLOADS)[number];

interface Options {
  runs: number;
  workloads: Workload[];
  kinds: ServerKind[];
  sessions: number;
  warmupSessions: number;
  concurrency: number;
  slices: number;
  sdpBytes: number;
  candidates: number;
  pairs: number;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  window: number;
  pairLoads: PairLoad[];
  pairSeconds: number;
  pairWarmupSeconds: number;
  pairTurnMs: number;
  pairTickMs: number;
  pairTrace: boolean;
  idle: number;
  idleParallel: number;
  settleSeconds: number;
  idleProbeSeconds: number;
  nodes: string[];
  nodePids: number[];
  appNodes: number;
  appEnv: Record<string, string>;
  appMain: string | undefined;
  appNodeFlags: string[];
  baselineNodeFlags: string[];
  profile: boolean;
  allocProfile: boolean;
  heapSnapshots: boolean;
  maxMinutes: number;
  out: string | undefined;
}

const USAGE = `npm run bench -- [options]
  --runs N               repetitions of every workload on each server (3)
  --workloads LIST       sessions,relay,pairs,idle (all)
  --only app|baseline    run one side only
  --sessions N           timed sessions per run (3000); --warmup-sessions N (300); --concurrency N pairs in flight (50)
  --slices N             turns per server for the timed sessions (6)
  --sdp-bytes N          offer/answer SDP size (4096); --candidates N each way (10)
  --pairs N              established pairs for the relay workload (100)
  --rate N               offered candidates/s in the fixed-rate phase (5000)
  --seconds N            measured seconds per relay phase (8); --warmup-seconds N (2); --window N per pair at max rate (8)
  --pair-loads LIST      pairs workload: NxR,… N pairs, each peer sending R candidates/s (500x20,1000x5)
  --pair-seconds N       measured seconds per server and load (20); --pair-warmup-seconds N (2)
  --pair-turn-ms N       length of a server's turn (2000); --pair-tick-ms N generator timer wheel period (1)
  --pair-trace           pairs: write the slow messages and both event loops' stalls (bench/results/*.trace.json)
  --idle N               idle connections to hold (10000); --idle-parallel N pairs opening at once (100); --settle-seconds N (3)
  --idle-probe-seconds N a probe socket's ping→pong round trips while they are held (12; 0: none)
  --app-nodes N          start N app processes and split each pair's peers across them (1)
  --app-env K=V          extra env for the app processes (repeatable), e.g. a Redis URL for --app-nodes 2
  --app-main FILE        the app's entry point (dist/src/main.js), e.g. an older build to compare
  --app-node-flags "F"   Node/V8 flags for the app processes (default: those of package.json's start
                         script, as \`npm start\` runs the app; "" for none)
  --baseline-node-flags "F"  the same for the baseline
  --nodes URL,URL        run the app side against nodes already running (not started by the bench)
  --node-pids PID,PID    their process ids, for CPU and RSS figures (optional)
  --profile              CPU-profile the servers during each measured window (bench/results/*.cpuprofile + summary)
  --alloc-profile        sample what the servers allocate during each measured window, garbage included
                         (bench/results/*.heapprofile + summary; per message for the pairs workload)
  --heap-snapshots       idle workload: heap snapshots before/after, growth per connection by constructor
  --max-minutes N        hard limit for the whole bench (45)
  --quick                small counts: a smoke run
  --out FILE             JSON results (bench/results/<timestamp>.json)`;

function parseOptions(argv: string[]): Options {
  const o: Options = {
    runs: 3,
    workloads: [...WORKLOADS],
    kinds: ['baseline', 'app'],
    sessions: 3000,
    warmupSessions: 300,
    concurrency: 50,
    slices: 6,
    sdpBytes: 4096,
    candidates: 10,
    pairs: 100,
    rate: 5000,
    seconds: 8,
    warmupSeconds: 2,
    window: 8,
    pairLoads: [
      { pairs: 500, rate: 20 },
      { pairs: 1000, rate: 5 },
    ],
    pairSeconds: 20,
    pairWarmupSeconds: 2,
    pairTurnMs: 2000,
    pairTickMs: 1,
    pairTrace: false,
    idle: 10_000,
    idleParallel: 100,
    settleSeconds: 3,
    idleProbeSeconds: 12,
    nodes: [],
    nodePids: [],
    appNodes: 1,
    appEnv: {},
    appMain: undefined,
    appNodeFlags: startScriptNodeFlags(),
    baselineNodeFlags: [],
    profile: false,
    allocProfile: false,
    heapSnapshots: false,
    maxMinutes: 45,
    out: undefined,
  };
  const int = (name: string, raw: string | undefined): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} needs a non-negative integer (got ${raw})`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case '--runs': o.runs = Math.max(1, int(arg, value())); break;
      case '--workloads':
        o.workloads = value().split(',').map((w) => {
          if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`unknown workload ${w}`);
          return w as Workload;
        });
        break;
      case '--only': {
        const kind = value();
        if (kind !== 'app' && kind !== 'baseline') throw new Error('--only app|baseline');
        o.kinds = [kind];
        break;
      }
      case '--sessions': o.sessions = int(arg, value()); break;
      case '--warmup-sessions': o.warmupSessions = int(arg, value()); break;
      case '--concurrency': o.concurrency = int(arg, value()); break;
      case '--slices': o.slices = Math.max(1, int(arg, value())); break;
      case '--sdp-bytes': o.sdpBytes = int(arg, value()); break;
      case '--candidates': o.candidates = Math.max(1, int(arg, value())); break;
      case '--pairs': o.pairs = int(arg, value()); break;
      case '--rate': o.rate = int(arg, value()); break;
      case '--seconds': o.seconds = int(arg, value()); break;
      case '--warmup-seconds': o.warmupSeconds = int(arg, value()); break;
      case '--window': o.window = int(arg, value()); break;
      case '--pair-loads':
        o.pairLoads = value().split(',').map((item) => {
          const match = /^(\d+)x(\d+)$/.exec(item.trim());
          if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new Error(`--pair-loads needs NxR items, e.g. 500x20 (got ${item})`);
          return { pairs: Number(match[1]), rate: Number(match[2]) };
        });
        break;
      case '--pair-seconds': o.pairSeconds = Math.max(1, int(arg, value())); break;
      case '--pair-warmup-seconds': o.pairWarmupSeconds = int(arg, value()); break;
      case '--pair-turn-ms': o.pairTurnMs = Math.max(100, int(arg, value())); break;
      case '--pair-tick-ms': o.pairTickMs = Math.max(1, int(arg, value())); break;
      case '--pair-trace': o.pairTrace = true; break;
      case '--idle': o.idle = int(arg, value()); break;
      case '--idle-parallel': o.idleParallel = int(arg, value()); break;
      case '--settle-seconds': o.settleSeconds = int(arg, value()); break;
      case '--idle-probe-seconds': o.idleProbeSeconds = int(arg, value()); break;
      case '--nodes': o.nodes = value().split(',').filter(Boolean); break;
      case '--node-pids': o.nodePids = value().split(',').map((p) => int(arg, p)); break;
      case '--app-nodes': o.appNodes = Math.max(1, int(arg, value())); break;
      case '--app-env': {
        const [key, ...rest] = value().split('=');
        o.appEnv[key] = rest.join('=');
        break;
      }
      case '--app-main': o.appMain = resolve(value()); break;
      case '--app-node-flags': o.appNodeFlags = value().split(' ').filter(Boolean); break; // '' for none
      case '--baseline-node-flags': o.baselineNodeFlags = value().split(' ').filter(Boolean); break;
      case '--profile': o.profile = true; break;
      case '--alloc-profile': o.allocProfile = true; break;
      case '--heap-snapshots': o.heapSnapshots = true; break;
      case '--max-minutes': o.maxMinutes = int(arg, value()); break;
      case '--out': o.out = value(); break;
      case '--quick':
        Object.assign(o, {
          runs: 1, sessions: 200, warmupSessions: 50, pairs: 20, rate: 1000, seconds: 2, warmupSeconds: 1, idle: 1000, idleProbeSeconds: 2,
          pairLoads: [{ pairs: 50, rate: 20 }, { pairs: 100, rate: 5 }], pairSeconds: 2, pairWarmupSeconds: 1, pairTurnMs: 1000,
        });
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  return o;
}

/** The server side of one run: processes the bench started, or nodes given by URL. */
interface Target {
  kind: ServerKind;
  urls: string[];
  processes: ServerProcess[];
  pids: number[];
  stop(): Promise<void>;
}

async function startTarget(kind: ServerKind, o: Options): Promise<Target> {
  if (kind === 'app' && o.nodes.length > 0) {
    return { kind, urls: o.nodes, processes: [], pids: o.nodePids, stop: async () => undefined };
  }
  const count = kind === 'app' ? o.appNodes : 1;
  const processes: ServerProcess[] = [];
  try {
    for (let n = 0; n < count; n++) {
      const nodeFlags = kind === 'app' ? o.appNodeFlags : o.baselineNodeFlags;
      processes.push(await ServerProcess.start(kind, { root: ROOT, env: o.appEnv, nodeId: `bench-node-${n + 1}`, appMain: o.appMain, nodeFlags }));
    }
  } catch (error) {
    await Promise.all(processes.map((p) => p.stop()));
    throw error;
  }
  return {
    kind,
    urls: processes.map((p) => p.url),
    processes,
    pids: processes.map((p) => p.pid),
    stop: async () => {
      await Promise.all(processes.map((p) => p.stop()));
    },
  };
}

function procRssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** CPU ms of a process's main thread (its task whose id is the pid): the event loop. */
function mainThreadCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

function openFilesLimit(): number {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return !match || match[1] === 'unlimited' ? Infinity : Number(match[1]);
}

interface RunRecord {
  rep: number;
  workload: Workload;
  kind: ServerKind;
  startedAt: string;
  loadavg1: number;
  durationMs: number;
  metrics?: Measurement;
  error?: string;
  profile?: string;
}

function contextFor(target: Target, workload: Workload, rep: number, o: Options, stamp: string, record: RunRecord): WorkloadContext {
  const profiling = o.profile && target.processes.length > 0;
  const allocating = o.allocProfile && target.processes.length > 0;
  const sum = (read: (pid: number) => number): number =>
    target.pids.length ? target.pids.reduce((total, pid) => total + read(pid), 0) : NaN;
  return {
    kind: target.kind,
    urls: target.urls,
    tag: `${workload[0]}${rep}${target.kind[0]}${Date.now().toString(36)}`,
    log: (message) => console.log(`      ${target.kind}: ${message}`),
    usage: () => {
      const client = process.cpuUsage();
      return {
        at: performance.now(),
        serverCpuMs: sum(procCpuMs),
        serverMainThreadCpuMs: sum(mainThreadCpuMs),
        clientCpuMs: (client.user + client.system) / 1000,
      };
    },
    async profile(on: boolean, label?: string, count?: number): Promise<void> {
      if (!profiling && !allocating) return;
      for (const [i, p] of target.processes.entries()) {
        if (on) {
          if (profiling) await p.request({ cmd: 'profile-start', interval: 250 });
          if (allocating) await p.request({ cmd: 'alloc-start' });
          continue;
        }
        const name = label ? `${workload}-${label}` : workload;
        const base = join(ROOT, 'bench', 'results', `${stamp}-${name}-${target.kind}-r${rep}-node${i + 1}`);
        if (profiling) {
          const file = `${base}.cpuprofile`;
          await p.request({ cmd: 'profile-stop', file });
          record.profile = file;
          console.log(`      ${target.kind} profile (the other server's turns show as idle):`);
          console.log(formatSummary(summarise(JSON.parse(readFileSync(file, 'utf8'))), 25).replace(/^/gm, '      '));
        }
        if (allocating) {
          const file = `${base}.heapprofile`;
          await p.request({ cmd: 'alloc-stop', file });
          const per = count && target.processes.length === 1 ? count : 0;
          console.log(`      ${target.kind} allocations${per ? ` per message (${per} messages)` : ''}:`);
          console.log(formatAllocations(summariseAllocations(JSON.parse(readFileSync(file, 'utf8'))), 20, per).replace(/^/gm, '      '));
        }
      }
    },
    async loopDelay(action: 'enable' | 'disable' | 'report'): Promise<LoopDelay> {
      const replies = await Promise.all(target.processes.map((p) => p.request({ cmd: 'loop-delay', action, resolution: 1 })));
      const highest = (field: keyof LoopDelay) => (replies.length ? Math.max(...replies.map((r) => Number(r[field] ?? NaN))) : NaN);
      const sum = (field: keyof LoopDelay) => (replies.length ? replies.reduce((total, r) => total + Number(r[field] ?? NaN), 0) : NaN);
      return {
        count: sum('count'),
        p50: highest('p50'),
        p99: highest('p99'),
        max: highest('max'),
        gcMs: sum('gcMs'),
        gcMaxMs: highest('gcMaxMs'),
        gcCount: sum('gcCount'),
        gcMajorCount: sum('gcMajorCount'),
        windowMs: highest('windowMs'),
        stalls: replies.flatMap((r) => (r.stalls as LoopDelay['stalls']) ?? []),
        gcPauses: replies.flatMap((r) => (r.gcPauses as LoopDelay['gcPauses']) ?? []),
      };
    },
    async memory(gc: boolean): Promise<ServerMemory> {
      let heapUsed = 0;
      for (const p of target.processes) heapUsed += Number((await p.request({ cmd: 'memory', gc })).heapUsed);
      return { rssKiB: sum(procRssKiB), heapUsedKiB: target.processes.length ? heapUsed / 1024 : NaN };
    },
    heapSnapshot:
      o.heapSnapshots && target.processes.length > 0
        ? async (label: string) => {
            const file = join(ROOT, 'bench', 'results', `${stamp}-${workload}-${target.kind}-r${rep}-${label}.heapsnapshot`);
            await target.processes[0].request({ cmd: 'heap-snapshot', file }, 120_000);
            return file;
          }
        : undefined,
  };
}

/** Runs one workload against the given servers: taking turns (sessions, relay) or one alone (idle). */
async function runWorkload(workload: Workload, contexts: WorkloadContext[], o: Options, rep: number, stamp: string): Promise<Measurement[]> {
  switch (workload) {
    case 'sessions':
      return runSessions(contexts, {
        sessions: o.sessions,
        warmup: o.warmupSessions,
        concurrency: o.concurrency,
        sdpBytes: o.sdpBytes,
        candidates: o.candidates,
        slices: o.slices,
        sessionTimeoutMs: 30_000,
      });
    case 'relay':
      return runRelay(contexts, {
        pairs: o.pairs,
        rate: o.rate,
        seconds: o.seconds,
        warmupSeconds: o.warmupSeconds,
        window: o.window,
        fixedSliceMs: 500,
        maxSliceMs: 1000,
      });
    case 'pairs':
      return runPairs(contexts, {
        loads: o.pairLoads,
        seconds: o.pairSeconds,
        warmupSeconds: o.pairWarmupSeconds,
        turnMs: o.pairTurnMs,
        tickMs: o.pairTickMs,
        trace: o.pairTrace
          ? (load, kind) => join(ROOT, 'bench', 'results', `${stamp}-pairs-${load}-${kind}-r${rep}.trace.json`)
          : undefined,
      });
    case 'idle': {
      const results: Measurement[] = [];
      for (const context of contexts) {
        results.push(await runIdle(context, { connections: o.idle, parallel: o.idleParallel, settleSeconds: o.settleSeconds, probeSeconds: o.idleProbeSeconds }));
      }
      return results;
    }
  }
}

interface Row {
  workload: Workload;
  metric: string;
  label: string;
  digits: number;
  /** Target on the app/baseline ratio of medians' paired runs, or on the app's own median. */
  target?: { on: 'ratio' | 'app'; op: '>=' | '<='; value: number | ((o: Options) => number); text: string };
}

const ROWS: Row[] = [
  { workload: 'sessions', metric: 'sessions_per_s', label: 'sessions/s', digits: 0, target: { on: 'ratio', op: '>=', value: 0.9, text: '≥ 0.9× baseline' } },
  { workload: 'sessions', metric: 'session_ms_p50', label: 'session time p50 (ms)', digits: 1 },
  { workload: 'sessions', metric: 'session_ms_p99', label: 'session time p99 (ms)', digits: 1 },
  { workload: 'sessions', metric: 'server_cpu_ms_per_session', label: 'server CPU per session (ms)', digits: 3, target: { on: 'ratio', op: '<=', value: 1.1, text: '≤ 1.10× baseline' } },
  { workload: 'sessions', metric: 'server_main_cpu_ms_per_session', label: 'server main thread CPU/session (ms)', digits: 3 },
  { workload: 'sessions', metric: 'server_cpu_pct', label: 'server CPU, all threads (% of a core)', digits: 0 },
  { workload: 'sessions', metric: 'client_cpu_pct', label: 'load generator CPU (%)', digits: 0 },
  { workload: 'relay', metric: 'fixed_msgs_per_s', label: 'fixed rate: delivered msg/s', digits: 0 },
  { workload: 'relay', metric: 'fixed_p50_ms', label: 'fixed rate: latency p50 (ms)', digits: 3 },
  { workload: 'relay', metric: 'fixed_p95_ms', label: 'fixed rate: latency p95 (ms)', digits: 3 },
  { workload: 'relay', metric: 'fixed_p99_ms', label: 'fixed rate: latency p99 (ms)', digits: 3, target: { on: 'ratio', op: '<=', value: 1.5, text: '≤ 1.5× baseline' } },
  { workload: 'relay', metric: 'fixed_server_cpu_us_per_msg', label: 'fixed rate: server CPU/msg (µs)', digits: 1 },
  { workload: 'relay', metric: 'max_msgs_per_s', label: 'max rate: msg/s', digits: 0 },
  { workload: 'relay', metric: 'max_p50_ms', label: 'max rate: latency p50 (ms)', digits: 2 },
  { workload: 'relay', metric: 'max_p99_ms', label: 'max rate: latency p99 (ms)', digits: 2 },
  { workload: 'relay', metric: 'max_server_cpu_us_per_msg', label: 'max rate: server CPU/msg (µs)', digits: 1 },
  { workload: 'relay', metric: 'max_server_main_cpu_us_per_msg', label: 'max rate: server main thread CPU/msg (µs)', digits: 1 },
  { workload: 'relay', metric: 'max_server_cpu_pct', label: 'max rate: server CPU (%)', digits: 0 },
  { workload: 'relay', metric: 'max_client_cpu_pct', label: 'max rate: load generator CPU (%)', digits: 0 },
  { workload: 'idle', metric: 'idle_rss_kib_per_conn', label: 'idle: RSS per connection (KiB)', digits: 2, target: { on: 'app', op: '<=', value: 9, text: '≤ 9 KiB' } },
  { workload: 'idle', metric: 'idle_rss_kib_per_conn_nogc', label: 'idle: RSS/conn before GC (KiB)', digits: 2 },
  { workload: 'idle', metric: 'idle_heap_kib_per_conn', label: 'idle: V8 heap per connection (KiB)', digits: 2 },
  { workload: 'idle', metric: 'idle_held', label: 'idle: connections held (pong)', digits: 0, target: { on: 'app', op: '>=', value: (o) => o.idle, text: '= all K' } },
  { workload: 'idle', metric: 'idle_open_per_s', label: 'idle: connections opened/s', digits: 0, target: { on: 'ratio', op: '>=', value: 0.9, text: '≥ 0.9× baseline' } },
  { workload: 'idle', metric: 'idle_open_cpu_us_per_conn', label: 'idle: server CPU per connection opened (µs)', digits: 0 },
  { workload: 'idle', metric: 'idle_open_main_cpu_us_per_conn', label: 'idle: server main thread CPU per connection opened (µs)', digits: 0 },
  { workload: 'idle', metric: 'idle_open_client_cpu_us_per_conn', label: 'idle: load generator CPU per connection opened (µs)', digits: 0 },
  { workload: 'idle', metric: 'idle_probe_rtt_p50_ms', label: 'idle: probe ping→pong p50 (ms)', digits: 3 },
  { workload: 'idle', metric: 'idle_probe_rtt_p99_ms', label: 'idle: probe ping→pong p99 (ms)', digits: 3, target: { on: 'ratio', op: '<=', value: 2, text: '≤ 2× baseline' } },
  { workload: 'idle', metric: 'idle_probe_rtt_max_ms', label: 'idle: probe ping→pong max (ms)', digits: 2, target: { on: 'app', op: '<=', value: 20, text: '≤ 20 ms' } },
];

/** The pairs workload's rows, per load (`--pair-loads`); targets from issue 13. */
function pairRows(o: Options): Row[] {
  const rows: Row[] = [];
  for (const load of o.pairLoads) {
    const k = pairLoadKey(load);
    const name = `${load.pairs} pairs × ${load.rate}/s each way (${(2 * load.pairs * load.rate).toLocaleString('en-US')} msg/s)`;
    const row = (metric: string, label: string, digits: number, target?: Row['target']): Row => ({
      workload: 'pairs',
      metric: `${k}_${metric}`,
      label: `${name}: ${label}`,
      digits,
      target,
    });
    rows.push(
      row('msgs_per_s', 'delivered msg/s', 0),
      row('p50_ms', 'latency p50 (ms)', 3),
      row('p95_ms', 'latency p95 (ms)', 3, { on: 'ratio', op: '<=', value: 1.3, text: '≤ 1.3× baseline' }),
      row('p99_ms', 'latency p99 (ms)', 3, { on: 'ratio', op: '<=', value: 1.5, text: '≤ 1.5× baseline' }),
      row('max_ms', 'latency max (ms)', 2),
      row('server_cpu_us_per_msg', 'server CPU/msg (µs)', 1, { on: 'ratio', op: '<=', value: 1.15, text: '≤ 1.15× baseline' }),
      row('server_main_cpu_us_per_msg', 'server main thread CPU/msg (µs)', 1),
      row('server_cpu_pct', 'server CPU (% of a core)', 0),
      row('server_loop_p50_ms', 'server event-loop delay p50 (ms)', 3),
      row('server_loop_p99_ms', 'server event-loop delay p99 (ms)', 2),
      row('server_loop_max_ms', 'server event-loop delay max (ms)', 1),
      row('server_gc_ms_per_s', 'server GC pauses (ms per s)', 1),
      row('server_gc_max_ms', 'server GC pause max (ms)', 1),
      row('server_gc_major', 'server full GCs (count)', 0),
      row('client_cpu_pct', 'load generator CPU (%)', 0),
      row('client_loop_p99_ms', 'load generator event-loop delay p99 (ms)', 2),
      row('client_loop_max_ms', 'load generator event-loop delay max (ms)', 1),
      row('client_gc_ms_per_s', 'load generator GC pauses (ms per s)', 1),
      row('send_lag_p99_ms', 'load generator send lag p99 (ms)', 2),
      row('send_lag_max_ms', 'load generator send lag max (ms)', 1),
    );
  }
  return rows;
}

/** Every row of the table, in the order of the workloads. */
function rowsFor(o: Options): Row[] {
  const idleAt = ROWS.findIndex((r) => r.workload === 'idle');
  return [...ROWS.slice(0, idleAt), ...pairRows(o), ...ROWS.slice(idleAt)];
}

interface SummaryRow {
  workload: Workload;
  metric: string;
  label: string;
  digits: number;
  app?: { median: number; min: number; max: number; runs: number[] };
  baseline?: { median: number; min: number; max: number; runs: number[] };
  ratio?: { median: number; min: number; max: number };
  target?: string;
  met?: boolean;
}

function summariseRuns(records: RunRecord[], o: Options): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const row of rowsFor(o)) {
    if (!o.workloads.includes(row.workload)) continue;
    const values = (kind: ServerKind) =>
      records.filter((r) => r.kind === kind && r.workload === row.workload && r.metrics).map((r) => r.metrics![row.metric]);
    const side = (kind: ServerKind) => {
      if (!o.kinds.includes(kind)) return undefined;
      const runs = values(kind);
      return { ...spread(runs), runs };
    };
    const app = side('app');
    const baseline = side('baseline');
    let ratio: SummaryRow['ratio'];
    if (app && baseline) {
      // Paired by repetition: app and baseline of the same repetition ran minutes apart at most.
      const paired: number[] = [];
      for (let rep = 1; rep <= o.runs; rep++) {
        const a = records.find((r) => r.rep === rep && r.kind === 'app' && r.workload === row.workload)?.metrics?.[row.metric];
        const b = records.find((r) => r.rep === rep && r.kind === 'baseline' && r.workload === row.workload)?.metrics?.[row.metric];
        if (a !== undefined && b !== undefined && b !== 0) paired.push(a / b);
      }
      ratio = spread(paired);
    }
    let met: boolean | undefined;
    if (row.target) {
      const limit = typeof row.target.value === 'function' ? row.target.value(o) : row.target.value;
      const figure = row.target.on === 'ratio' ? ratio?.median : app?.median;
      if (figure !== undefined && Number.isFinite(figure)) met = row.target.op === '>=' ? figure >= limit : figure <= limit;
    }
    rows.push({ workload: row.workload, metric: row.metric, label: row.label, digits: row.digits, app, baseline, ratio, target: row.target?.text, met });
  }
  return rows;
}

function formatTable(rows: SummaryRow[]): string {
  const fmt = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : '-');
  const cell = (s: { median: number; min: number; max: number } | undefined, d: number) =>
    s ? `${fmt(s.median, d)} [${fmt(s.min, d)}–${fmt(s.max, d)}]` : '';
  const lines = [['metric', 'app median [min–max]', 'baseline median [min–max]', 'app/baseline [min–max]', 'target']];
  for (const r of rows) {
    const d = r.digits;
    lines.push([
      `${r.workload}: ${r.label}`,
      cell(r.app, d),
      cell(r.baseline, d),
      cell(r.ratio, 2),
      r.target ? `${r.target} ${r.met === undefined ? '?' : r.met ? 'met' : 'MISSED'}` : '',
    ]);
  }
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  return lines.map((l) => l.map((text, c) => (c === 0 ? text.padEnd(widths[c]) : text.padStart(widths[c]))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const out = o.out ?? join(ROOT, 'bench', 'results', `${stamp}.json`);
  if (o.workloads.includes('idle')) {
    const limit = openFilesLimit();
    if (limit < o.idle + 1024) {
      throw new Error(`open files limit ${limit} is too low for --idle ${o.idle}: run \`ulimit -n ${o.idle + 4096}\` first (or lower --idle)`);
    }
  }
  if (o.workloads.includes('pairs')) {
    // both servers' pairs are open at once, two client sockets per pair
    const sockets = 4 * Math.max(...o.pairLoads.map((l) => l.pairs));
    const limit = openFilesLimit();
    if (limit < sockets + 1024) {
      throw new Error(`open files limit ${limit} is too low for --pair-loads (${sockets} sockets): run \`ulimit -n ${sockets + 4096}\` first`);
    }
  }
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--', 'src', 'bench']) !== '';
  const deadline = setTimeout(() => {
    console.error(`bench: over --max-minutes ${o.maxMinutes}, stopping`);
    for (const t of live) void t.stop();
    setTimeout(() => process.exit(2), 5000).unref();
  }, o.maxMinutes * 60_000);
  deadline.unref();
  const live = new Set<Target>();

  console.log(`bench: ${o.runs} run(s) of ${o.workloads.join(', ')} on ${o.kinds.join(' and ')}; commit ${commit}${dirty ? ' (modified)' : ''}; ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const allRecords: RunRecord[] = [];
  for (let rep = 1; rep <= o.runs; rep++) {
    for (const workload of o.workloads) {
      // Alternate which side goes first, so a drift in the machine's load does not favour one side.
      const kinds = rep % 2 === 1 ? o.kinds : [...o.kinds].reverse();
      // Sessions and relay run both servers at once, taking short turns; idle measures one
      // server process at a time (its memory), each in a fresh process.
      const groups = workload === 'idle' ? kinds.map((kind) => [kind]) : [kinds];
      for (const group of groups) {
        const startedAt = new Date().toISOString();
        const load = loadavg()[0];
        const records = group.map((kind): RunRecord => ({ rep, workload, kind, startedAt, loadavg1: load, durationMs: 0 }));
        const t0 = performance.now();
        const targets: Target[] = [];
        try {
          for (const kind of group) {
            const target = await startTarget(kind, o);
            targets.push(target);
            live.add(target);
          }
          const contexts = targets.map((target, i) => contextFor(target, workload, rep, o, stamp, records[i]));
          const measurements = await runWorkload(workload, contexts, o, rep, stamp);
          measurements.forEach((metrics, i) => (records[i].metrics = metrics));
        } catch (error) {
          for (const record of records) record.error = (error as Error).message;
        } finally {
          for (const target of targets) {
            await target.stop();
            live.delete(target);
          }
        }
        for (const record of records) {
          record.durationMs = performance.now() - t0;
          allRecords.push(record);
          const figures = record.metrics
            ? Object.entries(record.metrics).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(3)}`).join(' ')
            : `ERROR ${record.error}`;
          console.log(`[${rep}/${o.runs}] ${workload.padEnd(8)} ${record.kind.padEnd(8)} ${(record.durationMs / 1000).toFixed(1)}s load ${record.loadavg1.toFixed(2)}  ${figures}`);
        }
      }
    }
  }
  clearTimeout(deadline);
  const rows = summariseRuns(allRecords, o);
  console.log('\n' + formatTable(rows));
  const result = {
    startedAt: stamp,
    commit,
    dirty,
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavgAtEnd: loadavg() },
    options: o,
    appEnv: { ...APP_BENCH_ENV, DATA_DIR: '<fresh temporary directory>', PORT: '<random free port>', ...o.appEnv },
    summary: rows,
    runs: allRecords,
  };
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nresults: ${out}`);
  const failed = allRecords.filter((r) => r.error);
  if (failed.length > 0) {
    console.error(`${failed.length} run(s) failed:\n${failed.map((r) => `  ${r.workload} ${r.kind} #${r.rep}: ${r.error}`).join('\n')}`);
    process.exitCode = 1;
  }
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT }).toString().trim();
  } catch {
    return 'unknown';
  }
}

main().catch((error: Error) => {
  console.error(`bench: ${error.message}`);
  process.exit(1);
});

/** The Node flags of package.json's `start` script (`node <flags> dist/src/main.js`): the app runs as `npm start` runs it. */
function startScriptNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  const words = start.trim().split(/\s+/);
  return words[0] === 'node' ? words.slice(1).filter((word) => word.startsWith('--')) : [];
}
