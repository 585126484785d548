import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SignalingEventType } from '../../src/signaling/events/signaling-event';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';
import type { WebhookModuleOptions } from '../../src/webhooks/webhook-options.interface';
import { verifyWebhookSignature } from '../../src/webhooks/webhook-signature';
import { CANDIDATE_MARKER, pair, runCall, SDP_MARKER } from '../support/call';
import { captureOutput } from '../support/capture-output';
import { admin } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { WebhookReceiver, type ReceivedRequest } from '../support/webhook-receiver';

const SECRET = 'webhook-test-secret';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The receiver's own check of the scheme documented in the README, with node:crypto only. */
function signatureValid(request: ReceivedRequest, secret = SECRET): boolean {
  const timestamp = request.headers['x-webhook-timestamp'] as string;
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`;
  return request.headers['x-signature-256'] === expected;
}

type Payload = Record<string, unknown> & { id: string; type: string; sequence: number };
const payload = (request: ReceivedRequest): Payload => JSON.parse(request.body) as Payload;
const bySequence = (requests: ReceivedRequest[]): Payload[] =>
  requests.map(payload).sort((x, y) => x.sequence - y.sequence);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A free port on 127.0.0.1 with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('webhooks', () => {
  let receiver: WebhookReceiver;
  let t: TestApp | undefined;

  async function start(options: Partial<WebhookModuleOptions> = {}): Promise<TestApp> {
    t = await startTestApp(
      {},
      {
        webhooks: {
          urls: [receiver.url()],
          secret: SECRET,
          retryBaseDelayMs: 50,
          maxRetryDelayMs: 200,
          shutdownFlushMs: 300,
          ...options,
        },
      },
    );
    return t;
  }

  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await receiver.close();
  });

  it('a whole call: seven signed events, in order, with their fields, to every receiver, and never an SDP or candidate', async () => {
    const app = await start({ urls: [receiver.url('/one'), receiver.url('/two?token=abc')] });
    await runCall(app, 'wh-call');
    await receiver.waitForRequests(14);
    await app.app.get(WebhookDispatcher).whenIdle(2000);
    expect(receiver.requests).toHaveLength(14);

    const one = receiver.requests.filter((r) => r.path === '/one');
    const two = receiver.requests.filter((r) => r.path === '/two?token=abc');
    expect(one).toHaveLength(7);
    expect(two).toHaveLength(7);
    // the same event carries the same body (and id) to every receiver
    expect(bySequence(two)).toEqual(bySequence(one));

    for (const request of receiver.requests) {
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/json');
      expect(signatureValid(request)).toBe(true);
      expect(signatureValid(request, 'another-secret')).toBe(false);
      expect(verifyWebhookSignature({
        secret: SECRET,
        body: request.body,
        timestamp: request.headers['x-webhook-timestamp'] as string,
        signature: request.headers['x-signature-256'] as string,
      })).toBe(true);
      const timestamp = Number(request.headers['x-webhook-timestamp']);
      expect(Math.abs(timestamp - request.receivedAt / 1000)).toBeLessThan(5);
      const body = payload(request);
      expect(request.headers['x-webhook-id']).toBe(body.id);
      expect(request.headers['x-webhook-event']).toBe(body.type);
      expect(request.headers['x-webhook-attempt']).toBe('1');
      expect(request.body).not.toContain(SDP_MARKER);
      expect(request.body).not.toContain(CANDIDATE_MARKER);
      expect(request.body).not.toMatch(/sdp|candidate|127\.0\.0\.1/i);
    }

    const events = bySequence(one);
    expect(events.map((e) => e.type)).toEqual([
      'room.opened',
      'peer.joined',
      'peer.joined',
      'call.started',
      'peer.left',
      'peer.left',
      'room.closed',
    ]);
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(events.map((e) => e.id)).size).toBe(7);
    const times = events.map((e) => Date.parse(e.occurredAt as string));
    expect([...times].sort((x, y) => x - y)).toEqual(times);

    // identifiers agree with the admin API's history
    const sessions = (await admin(app).get('/api/v1/sessions?streamId=wh-call').expect(200)).body.items as Array<
      Record<string, string>
    >;
    const [first, second] = [...sessions].sort((x, y) => Date.parse(x.joinedAt) - Date.parse(y.joinedAt));
    const roomId = first.roomId;
    const common = { streamId: 'wh-call', roomId, id: expect.stringMatching(UUID), occurredAt: expect.stringMatching(ISO) };
    const [opened, joinedA, joinedB, started, leftB, leftA, closed] = events;
    expect(opened).toEqual({ ...common, type: 'room.opened', sequence: 1 });
    expect(joinedA).toEqual({
      ...common,
      type: 'peer.joined',
      sequence: 2,
      sessionId: first.id,
      connectionId: first.connectionId,
      mode: 'both',
    });
    expect(joinedB).toEqual({
      ...common,
      type: 'peer.joined',
      sequence: 3,
      sessionId: second.id,
      connectionId: second.connectionId,
      mode: 'both',
    });
    expect(started).toEqual({
      ...common,
      type: 'call.started',
      sequence: 4,
      offererSessionId: first.id,
      answererSessionId: second.id,
    });
    expect(leftB).toEqual({
      ...common,
      type: 'peer.left',
      sequence: 5,
      sessionId: second.id,
      connectionId: second.connectionId,
      reason: 'leave',
      joinedAt: second.joinedAt,
      durationMs: expect.any(Number),
      messagesRelayed: 3,
      bytesRelayed: expect.any(Number),
    });
    expect(leftA).toEqual({
      ...common,
      type: 'peer.left',
      sequence: 6,
      sessionId: first.id,
      connectionId: first.connectionId,
      reason: 'disconnect',
      joinedAt: first.joinedAt,
      durationMs: expect.any(Number),
      messagesRelayed: 2,
      bytesRelayed: expect.any(Number),
    });
    expect(leftA.bytesRelayed).toBeGreaterThan(0);
    expect(leftB.durationMs).toBe(Date.parse(leftB.occurredAt as string) - Date.parse(second.joinedAt));
    expect(closed).toEqual({
      ...common,
      type: 'room.closed',
      sequence: 7,
      openedAt: opened.occurredAt,
      callStartedAt: started.occurredAt,
      callDurationMs: expect.any(Number),
      peakPeers: 2,
    });
    expect(app.app.get(WebhookDispatcher).stats).toEqual({ delivered: 14, failed: 0, retried: 0, dropped: 0 });
  });

  it('a 500 is retried with backoff (same id and body, attempt 2, signed anew), then delivered', async () => {
    receiver.reply = (_request, index) => (index === 0 ? 500 : 200);
    const app = await start({ events: [SignalingEventType.RoomOpened] });
    const a = await app.connect();
    a.send({ command: 'join', streamId: 'wh-retry' });
    await a.next();
    await receiver.waitForRequests(2);
    const [failed, retried] = receiver.requests;
    expect(retried.headers['x-webhook-id']).toBe(failed.headers['x-webhook-id']);
    expect(retried.body).toBe(failed.body);
    expect([failed.headers['x-webhook-attempt'], retried.headers['x-webhook-attempt']]).toEqual(['1', '2']);
    expect(signatureValid(failed)).toBe(true);
    expect(signatureValid(retried)).toBe(true);
    // first retry after retryBaseDelayMs (50) randomised down by up to half
    expect(retried.receivedAt - failed.receivedAt).toBeGreaterThanOrEqual(20);
    await sleep(300);
    expect(receiver.requests).toHaveLength(2);
    expect(app.app.get(WebhookDispatcher).stats).toEqual({ delivered: 1, failed: 0, retried: 1, dropped: 0 });
  });

  it('a 400 is not retried: the delivery fails at once', async () => {
    receiver.reply = () => 400;
    const app = await start({ events: [SignalingEventType.RoomOpened] });
    const a = await app.connect();
    a.send({ command: 'join', streamId: 'wh-400' });
    await a.next();
    await receiver.waitForRequests(1);
    await sleep(400); // longer than every backoff delay configured (≤ 200 ms)
    expect(receiver.requests).toHaveLength(1);
    expect(app.app.get(WebhookDispatcher).stats).toEqual({ delivered: 0, failed: 1, retried: 0, dropped: 0 });
  });

  it('network errors are retried, then given up after maxRetries', async () => {
    const port = await closedPort();
    const app = await start({ urls: [`http://127.0.0.1:${port}/hook`], maxRetries: 2, events: [SignalingEventType.RoomOpened] });
    const a = await app.connect();
    a.send({ command: 'join', streamId: 'wh-refused' });
    await a.next();
    const dispatcher = app.app.get(WebhookDispatcher);
    expect(await dispatcher.whenIdle(3000)).toBe(true);
    expect(dispatcher.stats).toEqual({ delivered: 0, failed: 1, retried: 2, dropped: 0 });
  });

  it('a receiver that hangs is timed out and the delivery retried', async () => {
    receiver.reply = (_request, index) => (index === 0 ? 'hang' : 200);
    const app = await start({ timeoutMs: 300, events: [SignalingEventType.RoomOpened] });
    const a = await app.connect();
    a.send({ command: 'join', streamId: 'wh-timeout' });
    await a.next();
    await receiver.waitForRequests(2, 5000);
    const [hung, retried] = receiver.requests;
    expect(hung.abortedByClient).toBe(true); // the dispatcher gave up on it and closed the connection
    expect(retried.receivedAt - hung.receivedAt).toBeGreaterThanOrEqual(300);
    expect(retried.headers['x-webhook-id']).toBe(hung.headers['x-webhook-id']);
    expect(retried.headers['x-webhook-attempt']).toBe('2');
    expect(await app.app.get(WebhookDispatcher).whenIdle(2000)).toBe(true);
    expect(app.app.get(WebhookDispatcher).stats).toEqual({ delivered: 1, failed: 0, retried: 1, dropped: 0 });
  });

  it('signaling is not blocked while every delivery hangs; at most `concurrency` requests are in flight; shutdown aborts them', async () => {
    receiver.reply = () => 'hang';
    const app = await start({ timeoutMs: 30_000, concurrency: 2, shutdownFlushMs: 200 });
    const dispatcher = app.app.get(WebhookDispatcher);
    const started = Date.now();
    await runCall(app, 'wh-stuck-1');
    await runCall(app, 'wh-stuck-2');
    const callsMs = Date.now() - started;
    // two complete calls (14 events) went through while no delivery could finish (each hangs for 30 s)
    expect(callsMs).toBeLessThan(5000);
    await receiver.waitForRequests(2);
    await sleep(100);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.hanging).toBe(2);
    expect(dispatcher.inFlightCount).toBe(2);
    expect(dispatcher.queueDepth).toBe(12);
    expect(dispatcher.stats).toEqual({ delivered: 0, failed: 0, retried: 0, dropped: 0 });

    const closing = Date.now();
    await app.close();
    t = undefined;
    const closeMs = Date.now() - closing;
    // flush window (200 ms), then the two requests are aborted and the rest counted as dropped
    expect(closeMs).toBeGreaterThanOrEqual(200);
    expect(closeMs).toBeLessThan(2000);
    expect(dispatcher.stats).toEqual({ delivered: 0, failed: 2, retried: 0, dropped: 12 });
    expect(dispatcher.inFlightCount).toBe(0);
    expect(dispatcher.queueDepth).toBe(0);
    await receiver.waitUntil(() => receiver.requests.every((r) => r.abortedByClient), 2000, 'aborted requests');
  });

  it('past maxQueueSize new deliveries are dropped and counted', async () => {
    receiver.reply = () => 'hang';
    const app = await start({ concurrency: 1, maxQueueSize: 3, timeoutMs: 30_000, shutdownFlushMs: 100 });
    const dispatcher = app.app.get(WebhookDispatcher);
    const a = await app.connect();
    a.send({ command: 'join', streamId: 'wh-q1' }); // room.opened (in flight), peer.joined (queued)
    await a.next();
    await receiver.waitForRequests(1);
    expect([dispatcher.inFlightCount, dispatcher.queueDepth]).toEqual([1, 1]);
    // the first drop is logged at error level (then every power of ten): captured and asserted
    const { stdout, stderr } = await captureOutput(async () => {
      for (const streamId of ['wh-q2', 'wh-q3', 'wh-q4']) {
        a.send({ command: 'join', streamId }); // two events each: 2 fit, 4 are dropped
        await a.next();
      }
      expect(dispatcher.queueDepth).toBe(3);
      expect(dispatcher.stats.dropped).toBe(4);
      await app.close();
      t = undefined;
    });
    const logged = (stdout + stderr).split('\n').filter((line) => line.includes('ERROR'));
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(logged[0]).toContain('webhook delivery dropped: queue full (3); 1 dropped so far');
    // shutdown: the 8 events of the four rooms closing (peer.left, room.closed) find the queue full,
    // the 3 still queued after the flush window are dropped too, the hung request is aborted (failed)
    expect(dispatcher.stats).toEqual({ delivered: 0, failed: 1, retried: 0, dropped: 4 + 8 + 3 });
    expect(receiver.requests).toHaveLength(1);
  });

  it('shutdown flushes what is queued, including the shutdown events themselves', async () => {
    const app = await start({ events: [SignalingEventType.PeerLeft, SignalingEventType.RoomClosed] });
    await pair(app, 'wh-shutdown');
    await app.close();
    t = undefined;
    const events = bySequence(receiver.requests);
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ['peer.left', 'shutdown'],
      ['peer.left', 'shutdown'],
      ['room.closed', undefined],
    ]);
  });
});
