import { randomBytes } from 'node:crypto';
import * as fc from 'fast-check';
import { ConnectionRegistry } from '../../src/signaling/connections/connection-registry.service';
import { RoomRegistry } from '../../src/signaling/rooms/room-registry';
import { exactCall } from '../support/exact-call';
import { heapUsedAfterGc, megabytes, ProcessFaultRecorder } from '../support/process-faults';
import { startTestApp, type TestApp } from '../support/test-app';
import { waitUntil } from '../support/wait';
import { fuzzCases, PROTOTYPE_NAMES, type FuzzLimits } from './support/frame-arbitraries';
import { FuzzDriver, type DriverFigures } from './support/fuzz-driver';
import { malformedUpgrades, rawFramings, sendRawFraming, sendRawRequest } from './support/raw-framing';
import { printFigures } from '../support/figures';

/**
 * Proof that no frame crashes the server or corrupts a call: 10,000+ generated frames from several
 * sockets, each reply checked against a model of the contract, while a real call goes on in
 * another room; then a flood against the default rate limit. FUZZ_SEED replays a run.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const DRIVERS = 4;
const SOCKETS_PER_DRIVER = 3;
const FRAMES_PER_DRIVER = 2600;
const RAW_FRAMINGS = 300;
const STUN = 'stun:127.0.0.1:3478';
const LIMITS: FuzzLimits & { maxRoomsPerConnection: number; maxDataDepth: number } = {
  maxFrameBytes: 256 * 1024,
  maxStreamIdLength: 128,
  maxSdpLength: 131_072,
  maxCandidateLength: 4096,
  maxRoomsPerConnection: 16,
  maxDataDepth: 100,
};
const HEAP_GROWTH_LIMIT_MB = 48;

const sum = (figures: DriverFigures[], pick: (f: DriverFigures) => Record<string, number>): Record<string, number> => {
  const total: Record<string, number> = {};
  for (const f of figures) for (const [key, n] of Object.entries(pick(f))) total[key] = (total[key] ?? 0) + n;
  return total;
};

describe('fuzz: malformed, hostile and huge frames', () => {
  let faults: ProcessFaultRecorder;
  beforeAll(() => {
    faults = ProcessFaultRecorder.install();
  });
  afterAll(() => faults.uninstall());

  it(`${DRIVERS * FRAMES_PER_DRIVER} generated frames and ${RAW_FRAMINGS} broken framings: no crash, every reply per the contract, a call completes meanwhile`, async () => {
    // limits high enough that the fuzz frames are never rate limited (the flood case tests that)
    const t = await startTestApp({
      stunServerUri: STUN,
      maxFrameBytes: LIMITS.maxFrameBytes,
      limits: { messagesPerSecond: 1_000_000, messageBurst: 1_000_000, maxDroppedMessages: 1_000_000 },
    });
    const drivers: FuzzDriver[] = [];
    const upgradeAnswers: string[] = [];
    const background: Array<Promise<unknown>> = [];
    let fuzzing = true;
    try {
      const connections = t.app.get(ConnectionRegistry);
      const rooms = t.app.get(RoomRegistry);
      const port = Number(new URL(t.wsUrl).port);
      // warm up (code paths, history writer) before the first heap figure
      await exactCall(await t.connect(), await t.connect(), 'warm-up');
      await waitUntil(() => connections.size === 2, 5000, 'warm-up sockets');
      const heapBefore = heapUsedAfterGc();
      const started = Date.now();

      const call = (async () => {
        let calls = 0;
        let relayed = 0;
        do {
          const a = await t.connect();
          const b = await t.connect();
          relayed += await exactCall(a, b, `call-${randomBytes(6).toString('hex')}`, { timeoutMs: 15_000 });
          a.close();
          b.close();
          calls++;
        } while (fuzzing);
        return { calls, relayed };
      })();

      const raw = (async () => {
        for (const [name, request] of malformedUpgrades('/WebRTCAppEE/websocket')) {
          const status = await sendRawRequest(port, request);
          if (status.startsWith('HTTP/1.1 101')) throw new Error(`malformed upgrade (${name}) was accepted`);
          upgradeAnswers.push(`${name}: ${status.replace('HTTP/1.1 ', '') || 'closed'}`);
        }
        let closedByServer = 0;
        for (const bytes of fc.sample(rawFramings, { numRuns: RAW_FRAMINGS, seed: SEED })) {
          if (await sendRawFraming(port, '/WebRTCAppEE/websocket', bytes)) closedByServer++;
        }
        return closedByServer;
      })();

      const fuzz = Array.from({ length: DRIVERS }, async (_, d) => {
        const prefix = `d${d}-`;
        const shared = [`${prefix}a`, `${prefix}b`, `${prefix}c.1`, ...(d === 0 ? PROTOTYPE_NAMES : [])];
        const names = { prefix, shared, owns: (streamId: string) => streamId.startsWith(prefix) || shared.includes(streamId) };
        const driver = new FuzzDriver(t.app, t.wsUrl, names, LIMITS, SOCKETS_PER_DRIVER, { command: 'iceServerConfig', stunServerUri: STUN });
        drivers.push(driver);
        const cases = fc.sample(fuzzCases(names, LIMITS, SOCKETS_PER_DRIVER), { numRuns: Math.round(FRAMES_PER_DRIVER * 1.15), seed: SEED + d });
        await driver.run(cases, FRAMES_PER_DRIVER);
        return driver.figures;
      });
      background.push(call, raw, ...fuzz);
      for (const work of background) work.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
      let figures: DriverFigures[];
      try {
        figures = await Promise.all(fuzz);
      } finally {
        fuzzing = false;
      }
      const [callFigures, rawClosed] = await Promise.all([call, raw]);
      const elapsed = Date.now() - started;

      // still serving: a fresh socket gets its pong
      const fresh = await t.connect();
      fresh.send({ command: 'ping' });
      expect(await fresh.next()).toEqual({ command: 'pong' });
      fresh.close();

      for (const driver of drivers) driver.close();
      await waitUntil(() => connections.size <= 2, 10_000, 'every fuzz socket to be cleaned up');
      await waitUntil(async () => (await rooms.listRooms()).length === 0, 5000, 'an empty room registry');
      expect(await rooms.listRooms()).toEqual([]);
      const heapGrowth = heapUsedAfterGc() - heapBefore;

      const sent = figures.reduce((n, f) => n + f.sent, 0);
      const byOutcome = sum(figures, (f) => f.byOutcome);
      const errorsChecked = Object.entries(byOutcome).filter(([k]) => k.startsWith('error:')).reduce((n, [, v]) => n + v, 0);
      printFigures('fuzz', {
        frames: sent,
        MB: megabytes(figures.reduce((n, f) => n + f.bytes, 0)),
        seed: SEED,
        sockets: DRIVERS * SOCKETS_PER_DRIVER,
        brokenFramings: RAW_FRAMINGS,
        brokenClosed: rawClosed,
        seconds: (elapsed / 1000).toFixed(1),
        faults: faults.faults.length,
        errorFramesChecked: errorsChecked,
        calls: callFigures.calls,
        callFramesExact: callFigures.relayed,
        heapGrowthMB: megabytes(heapGrowth),
        reconnects: figures.reduce((n, f) => n + f.reconnects, 0),
        malformedUpgradesRefused: upgradeAnswers.length,
        outcomes: Object.keys(byOutcome).length,
        skipped: figures.reduce((n, f) => n + f.skipped, 0),
      });
      expect(sent).toBeGreaterThanOrEqual(10_000);
      expect(callFigures.calls).toBeGreaterThanOrEqual(1);
      expect(byOutcome['closed 1009']).toBeGreaterThan(0);
      expect(byOutcome['closed 1007']).toBeGreaterThan(0);
      expect(byOutcome.relayed).toBeGreaterThan(0);
      expect(upgradeAnswers).toHaveLength(malformedUpgrades('/').length);
      expect(heapGrowth / 1024 / 1024).toBeLessThan(HEAP_GROWTH_LIMIT_MB);
      expect(faults.faults).toEqual([]);
    } finally {
      fuzzing = false;
      for (const driver of drivers) driver.abort();
      await t.close();
      await Promise.allSettled(background);
    }
  }, 240_000);

  it('a flood is dropped then closed with 1008 by the default rate limit; a call beside it is untouched', async () => {
    const t = await startTestApp();
    try {
      const [flooder, partner] = [await t.connect(), await t.connect()];
      flooder.send({ command: 'join', streamId: 'flood' });
      await flooder.next();
      partner.send({ command: 'join', streamId: 'flood' });
      await flooder.next();
      await partner.next();
      const [a, b] = [await t.connect(), await t.connect()];
      a.send({ command: 'join', streamId: 'beside' });
      await a.next();
      b.send({ command: 'join', streamId: 'beside' });
      await a.next();
      await b.next();

      // the call trickles 60 candidates each way at 50/s while the flooder sends 20,000 frames at once
      const FLOOD = 20_000;
      const started = Date.now();
      const trickle = (async () => {
        for (let i = 0; i < 60; i++) {
          a.send({ command: 'takeCandidate', streamId: 'beside', label: 0, id: '0', candidate: `a${i}` });
          b.send({ command: 'takeCandidate', streamId: 'beside', label: 1, id: '1', candidate: `b${i}` });
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      for (let i = 0; i < FLOOD; i++) flooder.send({ command: 'takeCandidate', streamId: 'flood', label: 0, id: '0', candidate: `f${i}` });
      expect(await flooder.closed(10_000)).toBe(1008);
      const closedAfter = Date.now() - started;
      await trickle;

      const expectCandidates = async (client: typeof a, prefix: string, label: number) => {
        const frames = await client.take(60, 10_000);
        expect(frames).toEqual(Array.from({ length: 60 }, (_, i) => ({ command: 'takeCandidate', streamId: 'beside', label, id: String(label), candidate: `${prefix}${i}` })));
      };
      await expectCandidates(b, 'a', 0);
      await expectCandidates(a, 'b', 1);
      // the flooder got one rateLimitExceeded (its only frame), its partner what was admitted, in order, then stop
      expect(flooder.received).toEqual([{ command: 'notification', definition: 'joined', streamId: 'flood' }, { command: 'start', streamId: 'flood' }, { command: 'error', definition: 'rateLimitExceeded' }]);
      const relayed: unknown[] = [];
      for (let frame = await partner.next(); frame.command !== 'stop'; frame = await partner.next()) relayed.push(frame.candidate);
      // the burst, then what the bucket refilled while the flood went on: a subsequence in the order sent
      expect(relayed.slice(0, 400)).toEqual(Array.from({ length: 400 }, (_, i) => `f${i}`));
      const indexes = relayed.map((c) => Number(String(c).slice(1)));
      expect(indexes.every((n, i) => i === 0 || n > indexes[i - 1])).toBe(true);
      expect(relayed.length).toBeLessThan(600);
      // the call goes on to a normal end, the server answers a fresh socket, the flooder is gone
      a.send({ command: 'leave', streamId: 'beside' });
      expect(await b.next()).toEqual({ command: 'stop', streamId: 'beside' });
      expect(await a.next()).toEqual({ command: 'notification', definition: 'leaved', streamId: 'beside' });
      await a.expectSilence(100);
      await b.expectSilence(0);
      const fresh = await t.connect();
      fresh.send({ command: 'ping' });
      expect(await fresh.next()).toEqual({ command: 'pong' });
      expect((await t.app.get(RoomRegistry).getRoom('flood'))?.members.map((m) => m.connectionId)).toHaveLength(1);
      printFigures('flood', { sent: FLOOD, admitted: relayed.length, rateLimitExceeded: 1, closed1008AfterMs: closedAfter, bystanderExact: '120/120' });
      expect(faults.faults).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
