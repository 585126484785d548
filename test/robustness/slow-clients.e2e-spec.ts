import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { AppProcess } from '../support/app-process';
import { parseSamples, sample } from '../support/prometheus-text';
import { WsTestClient, type Frame } from '../support/ws-test-client';
import { sleep, waitUntil } from '../support/wait';
import { printFigures } from '../support/figures';

/**
 * Clients that do not read what they are sent, against the built app (`node dist/src/main.js`, as
 * built beforehand) as a child process on 127.0.0.1 with history on SQLite in a temp dir:
 * - a slow reader (TCP socket paused, still sending `ping` commands) whose partner relays ~18 MB/s of
 *   200 KB peerMessageCommand frames must be closed with 4002 (slow_consumer) before the server grows;
 * - a socket flooding WebSocket ping control frames without reading must be closed (1008, rate_limited)
 *   before the server grows.
 * Beside each attack a normal call in another room keeps relaying. The server's RSS is sampled
 * from /proc/<pid>/status throughout.
 */
const API_KEY = 'robustness-admin-key';
const MIB = 1024 * 1024;
const MAX_GROWTH_MIB = 96;

const RELAY_MS = 15_000;
const FRAMES_PER_TICK = 9; // every 100 ms: 90 frames/s, under the default 100/s
const TICK_MS = 100;
const PAYLOAD_CHARS = 200 * 1024;
const RECEIVER_PING_MS = 2500;

const FLOOD_MS = 10_000;
const PINGS_PER_BATCH = 2000;
const MAX_PINGS = 50_000_000;
const CLIENT_BUFFER_LIMIT = 4 * MIB;

/** The process's resident set size in bytes (VmRSS). */
function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** Samples a process's RSS every `intervalMs`, keeping the maximum. */
class RssSampler {
  max: number;
  count = 1;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    readonly baseline: number,
    intervalMs = 50,
  ) {
    this.max = baseline;
    this.timer = setInterval(() => this.take(), intervalMs);
  }

  take(): void {
    try {
      this.max = Math.max(this.max, rssOf(this.pid));
      this.count++;
    } catch {
      // the process is gone: the test fails elsewhere
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.take();
  }

  get growthMiB(): number {
    return (this.max - this.baseline) / MIB;
  }
}

/** RSS after things settle: the lowest of a few samples, so that a passing GC spike is not the baseline. */
async function settledRss(pid: number): Promise<number> {
  let low = Infinity;
  for (let i = 0; i < 5; i++) {
    low = Math.min(low, rssOf(pid));
    await sleep(60);
  }
  return low;
}

async function closedConnections(app: AppProcess, reason: string): Promise<number> {
  const response = await fetch(`${app.httpUrl}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics: ${response.status}`);
  return sample(parseSamples(await response.text()), 'signaling_connections_closed_total', { reason });
}

async function sessions(app: AppProcess, query: string): Promise<{ total: number; items: Array<{ streamId: string; leaveReason: string | null }> }> {
  const response = await fetch(`${app.httpUrl}/api/v1/sessions?${query}`, { headers: { Authorization: `Bearer ${API_KEY}` } });
  if (response.status !== 200) throw new Error(`GET /sessions?${query}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { total: number; items: Array<{ streamId: string; leaveReason: string | null }> };
}

/** The raw TCP socket under a `ws` client. */
const tcp = (socket: WebSocket): import('node:net').Socket => (socket as unknown as { _socket: import('node:net').Socket })._socket;

/** `a` then `b` join `streamId`: `a` gets joined, then start, `b` gets joined. */
async function pair(app: AppProcess, streamId: string, clients: WsTestClient[]): Promise<[WsTestClient, WsTestClient]> {
  const a = await WsTestClient.connect(app.wsUrl);
  clients.push(a);
  const b = await WsTestClient.connect(app.wsUrl);
  clients.push(b);
  a.send({ command: 'join', streamId });
  expect(await a.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
  b.send({ command: 'join', streamId });
  expect(await a.next()).toEqual({ command: 'start', streamId });
  expect(await b.next()).toEqual({ command: 'notification', definition: 'joined', streamId });
  return [a, b];
}

interface Bystander {
  exchanged: number;
  maxRoundTripMs: number;
  error?: unknown;
}

/**
 * A normal call beside the attack: `a` and `b` relay a small peerMessageCommand each way every
 * 250 ms until `stopped()`; every frame must arrive unchanged within 3 s.
 */
function bystanderCall(a: WsTestClient, b: WsTestClient, streamId: string, stopped: () => boolean): { done: Promise<void>; result: Bystander } {
  const result: Bystander = { exchanged: 0, maxRoundTripMs: 0 };
  const done = (async () => {
    for (let i = 0; i < 400 && !stopped(); i++) {
      const sentAt = Date.now();
      for (const [from, to] of [
        [a, b],
        [b, a],
      ] as const) {
        const frame = { command: 'peerMessageCommand', streamId, definition: 'chat', data: `tick-${i}` };
        from.send(frame);
        const got: Frame = await to.next(3000);
        if (JSON.stringify(got) !== JSON.stringify(frame)) throw new Error(`bystander got ${JSON.stringify(got)} for ${JSON.stringify(frame)}`);
        result.exchanged++;
      }
      result.maxRoundTripMs = Math.max(result.maxRoundTripMs, Date.now() - sentAt);
      await sleep(250);
    }
  })().catch((error: unknown) => {
    result.error = error;
  });
  return { done, result };
}

describe('slow clients against the built app', () => {
  const dirs: string[] = [];
  const clients: WsTestClient[] = [];
  const timers: NodeJS.Timeout[] = [];

  async function startApp(): Promise<AppProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), 'signaling-slow-'));
    dirs.push(dataDir);
    return AppProcess.start({ DATA_DIR: dataDir, ADMIN_API_KEY: API_KEY, NODE_ID: 'slow-clients-node' });
  }

  afterEach(() => {
    for (const timer of timers.splice(0)) clearInterval(timer);
    for (const client of clients.splice(0)) client.terminate();
    AppProcess.killAll();
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('slow reader: a peer that stops reading while its partner relays 18 MB/s is closed with 4002 (slow_consumer) and the server does not grow', async () => {
    const app = await startApp();
    const pid = app.child.pid as number;
    const [calmA, calmB] = await pair(app, 'calm-call-1', clients);
    const streamId = 'slow-reader-room';
    const [sender, receiver] = await pair(app, streamId, clients);

    let stopAt: number | undefined;
    sender.socket.on('message', (data) => {
      if (stopAt === undefined && (JSON.parse(data.toString()) as Frame).command === 'stop') stopAt = Date.now();
    });

    const sampler = new RssSampler(pid, await settledRss(pid));

    // the receiver stops reading, but shows life with a ping command now and then
    const receiverSocket = tcp(receiver.socket);
    receiverSocket.pause();
    let receiverPings = 0;
    timers.push(
      setInterval(() => {
        receiverSocket.pause();
        try {
          receiver.send({ command: 'ping' });
          receiverPings++;
        } catch {
          // closed
        }
      }, RECEIVER_PING_MS),
    );

    let attackOver = false;
    const calm = bystanderCall(calmA, calmB, 'calm-call-1', () => attackOver);

    const frame = Buffer.from(JSON.stringify({ command: 'peerMessageCommand', streamId, definition: 'x', data: 'x'.repeat(PAYLOAD_CHARS) }));
    let framesSent = 0;
    let senderBacklogTicks = 0;
    const firstFrameAt = Date.now();
    for (let tick = 0; tick < RELAY_MS / TICK_MS; tick++) {
      if (sender.socket.bufferedAmount > CLIENT_BUFFER_LIMIT) senderBacklogTicks++;
      else {
        for (let i = 0; i < FRAMES_PER_TICK; i++) sender.socket.send(frame, { binary: false });
        framesSent += FRAMES_PER_TICK;
      }
      const wait = firstFrameAt + (tick + 1) * TICK_MS - Date.now();
      if (wait > 0) await sleep(wait);
    }
    const relayMs = Date.now() - firstFrameAt;
    await sleep(300);
    sampler.stop();
    attackOver = true;
    await calm.done;

    const slowConsumers = await closedConnections(app, 'slow_consumer');
    const history = await sessions(app, 'reason=slow_consumer');
    const stopMs = stopAt === undefined ? undefined : stopAt - firstFrameAt;

    // resumed, the receiver reads what was buffered for it, then the close frame
    for (const timer of timers.splice(0)) clearInterval(timer);
    receiverSocket.resume();
    const code = await receiver.closed(10_000).catch(() => receiver.closeCode);
    const relayedToReceiver = receiver.received.filter((f) => f.command === 'peerMessageCommand').length;

    printFigures('slow-reader', {
      rssGrowthMiB: sampler.growthMiB.toFixed(1),
      baselineMiB: (sampler.baseline / MIB).toFixed(1),
      stopAfterMs: stopMs ?? 'never',
      framesSent,
      MBsent: ((framesSent * frame.length) / 1e6).toFixed(0),
      relayMs,
      closeCode: code ?? 'none',
      slowConsumerMetric: slowConsumers,
      bystanderFrames: calm.result.exchanged,
      bystanderMaxRoundTripMs: calm.result.maxRoundTripMs,
    });

    expect(calm.result.error).toBeUndefined();
    expect(calm.result.exchanged).toBeGreaterThanOrEqual(2 * 20);
    expect(framesSent).toBeGreaterThanOrEqual(1000);
    expect(receiverPings).toBeGreaterThanOrEqual(4);
    expect(sampler.growthMiB).toBeLessThan(MAX_GROWTH_MIB);
    expect(stopAt).toBeDefined();
    expect(sender.received).toContainEqual({ command: 'stop', streamId });
    expect(slowConsumers).toBe(1);
    expect(history.total).toBe(1);
    expect(history.items[0]).toMatchObject({ streamId, leaveReason: 'slow_consumer' });
    expect(code).toBe(4002);
    expect(app.exit).toBeUndefined();
  }, 45_000);

  it('ping flood: a socket sending WebSocket pings as fast as it can without reading is closed (1008, rate_limited) and the server does not grow', async () => {
    const app = await startApp();
    const pid = app.child.pid as number;
    const [calmA, calmB] = await pair(app, 'calm-call-2', clients);
    const flooder = await WsTestClient.connect(app.wsUrl);
    clients.push(flooder);
    const flooderSocket = tcp(flooder.socket);
    flooderSocket.pause();

    let closedAt: number | undefined;
    const onOutput = (chunk: Buffer): void => {
      if (closedAt === undefined && chunk.toString().includes('sustained rate limit excess')) closedAt = Date.now();
    };
    app.child.stdout?.on('data', onOutput);

    const sampler = new RssSampler(pid, await settledRss(pid));
    let attackOver = false;
    const calm = bystanderCall(calmA, calmB, 'calm-call-2', () => attackOver);

    let pings = 0;
    let pingErrors = 0;
    let backlogWaits = 0;
    const startedAt = Date.now();
    while (Date.now() - startedAt < FLOOD_MS && pings < MAX_PINGS) {
      if (flooder.socket.bufferedAmount > CLIENT_BUFFER_LIMIT) {
        backlogWaits++;
        await sleep(5);
        continue;
      }
      try {
        for (let i = 0; i < PINGS_PER_BATCH; i++) flooder.socket.ping();
        pings += PINGS_PER_BATCH;
      } catch {
        pingErrors++;
        await sleep(5);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const floodMs = Date.now() - startedAt;
    await sleep(300);
    sampler.stop();
    attackOver = true;
    await calm.done;
    app.child.stdout?.off('data', onOutput);

    const rateLimited = await closedConnections(app, 'rate_limited');
    flooderSocket.resume();
    const code = await flooder.closed(15_000).catch(() => flooder.closeCode);
    const closeMs = closedAt === undefined ? undefined : closedAt - startedAt;

    printFigures('ping-flood', {
      rssGrowthMiB: sampler.growthMiB.toFixed(1),
      baselineMiB: (sampler.baseline / MIB).toFixed(1),
      closedAfterMs: closeMs ?? 'never',
      pings,
      floodMs,
      closeCode: code ?? 'none',
      rateLimitedMetric: rateLimited,
      bystanderFrames: calm.result.exchanged,
      bystanderMaxRoundTripMs: calm.result.maxRoundTripMs,
    });

    expect(calm.result.error).toBeUndefined();
    expect(calm.result.exchanged).toBeGreaterThanOrEqual(2 * 15);
    expect(sampler.growthMiB).toBeLessThan(MAX_GROWTH_MIB);
    expect(closedAt).toBeDefined();
    expect(rateLimited).toBe(1);
    expect(code).toBe(1008);
    expect(app.exit).toBeUndefined();
  }, 45_000);
});
