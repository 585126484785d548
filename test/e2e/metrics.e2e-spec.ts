import { register as globalRegistry } from 'prom-client';
import request from 'supertest';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';
import { runCall } from '../support/call';
import { admin } from '../support/http';
import { parseSamples, sample } from '../support/prometheus-text';
import { startTestApp, type TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

const joined = (streamId: string) => ({ command: 'notification', definition: 'joined', streamId });

async function scrape(t: TestApp): Promise<Map<string, number>> {
  const response = await request(t.app.getHttpServer()).get('/metrics').expect(200);
  // the text format 0.0.4 (Express puts charset before version)
  expect(response.headers['content-type']).toMatch(/^text\/plain; (?=.*\bversion=0\.0\.4\b)(?=.*\bcharset=utf-8\b)/);
  return parseSamples(response.text);
}

/** Scrapes until `ready` holds: the server finishes a closed socket's clean-up after the client sees the close. */
async function scrapeUntil(t: TestApp, ready: (s: Map<string, number>) => boolean): Promise<Map<string, number>> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const samples = await scrape(t);
    if (ready(samples) || Date.now() > deadline) return samples;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('GET /metrics', () => {
  let receiver: WebhookReceiver;
  let t: TestApp;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    receiver.reply = (_request, index) => (index === 0 ? 500 : 200); // one retry
    t = await startTestApp(
      {},
      { webhooks: { urls: [receiver.url()], secret: 'metrics-test', retryBaseDelayMs: 20, maxRetryDelayMs: 50 } },
    );
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('after a call: connections, rooms, joins and leaves by reason, relays by command, error frames, latency, history and webhooks', async () => {
    await runCall(t, 'm-call'); // b stays connected

    const c = await t.connect();
    c.send({ command: 'join', streamId: 'm-open' });
    expect(await c.next()).toEqual(joined('m-open'));
    c.send({ command: 'takeCandidate', streamId: 'm-nobody', label: 0, id: '0', candidate: 'x' });
    expect(await c.next()).toMatchObject({ definition: 'no_peer_associated_before' });
    c.send('not json');
    expect(await c.next()).toMatchObject({ definition: 'invalidMessage' });
    c.send({ command: 'join', streamId: 'bad id!' });
    expect(await c.next()).toMatchObject({ definition: 'invalidStreamName' });
    c.send({ command: 'takeConfiguration', streamId: 'm-open', type: 'offer', sdp: 'v=0' });
    expect(await c.next()).toMatchObject({ definition: 'no_peer_associated_before' });

    const kicked = await t.connect();
    kicked.send({ command: 'join', streamId: 'm-kick' });
    expect(await kicked.next()).toEqual(joined('m-kick'));
    await admin(t).delete('/api/v1/rooms/m-kick').expect(200);

    const s = await scrapeUntil(t, (x) => x.get('signaling_peer_leaves_total{reason="disconnect"}') === 1);

    expect(sample(s, 'signaling_connections')).toBe(3); // b, c, kicked (a closed)
    expect(sample(s, 'signaling_active_rooms')).toBe(1); // m-open
    expect(sample(s, 'signaling_active_peers')).toBe(1);
    expect(sample(s, 'signaling_peer_joins_total')).toBe(4);
    expect(sample(s, 'signaling_calls_started_total')).toBe(1);
    const leaves = Object.fromEntries(
      ['leave', 'disconnect', 'timeout', 'kicked', 'shutdown'].map((reason) => [reason, sample(s, 'signaling_peer_leaves_total', { reason })]),
    );
    expect(leaves).toEqual({ leave: 1, disconnect: 1, timeout: 0, kicked: 1, shutdown: 0 });

    expect(sample(s, 'signaling_relayed_messages_total', { command: 'takeConfiguration' })).toBe(2);
    expect(sample(s, 'signaling_relayed_messages_total', { command: 'takeCandidate' })).toBe(2);
    expect(sample(s, 'signaling_relayed_messages_total', { command: 'peerMessageCommand' })).toBe(1);
    expect(sample(s, 'signaling_error_frames_total', { definition: 'no_peer_associated_before' })).toBe(2);
    expect(sample(s, 'signaling_error_frames_total', { definition: 'invalidMessage' })).toBe(1);
    expect(sample(s, 'signaling_error_frames_total', { definition: 'invalidStreamName' })).toBe(1);
    expect(sample(s, 'signaling_error_frames_total', { definition: 'NoSpaceForNewPeer' })).toBe(0);
    expect(sample(s, 'signaling_unknown_commands_total')).toBe(0);

    // every relayed frame observed once, in buckets from 10 µs to 50 ms
    expect(sample(s, 'signaling_relay_latency_seconds_count')).toBe(5);
    expect(sample(s, 'signaling_relay_latency_seconds_sum')).toBeGreaterThan(0);
    expect(sample(s, 'signaling_relay_latency_seconds_bucket', { le: '0.00001' })).toBeGreaterThanOrEqual(0);
    expect(sample(s, 'signaling_relay_latency_seconds_bucket', { le: '0.05' })).toBeLessThanOrEqual(5);
    expect(sample(s, 'signaling_relay_latency_seconds_bucket', { le: '+Inf' })).toBe(5);

    expect(sample(s, 'signaling_history_queue_depth')).toBeGreaterThanOrEqual(0);
    expect(sample(s, 'signaling_history_failed_flushes_total')).toBe(0);
    expect(sample(s, 'signaling_history_dropped_rows_total')).toBe(0);
    expect(sample(s, 'signaling_history_rows_written_total')).toBeGreaterThanOrEqual(0);

    // webhooks: runCall 7 events, m-open 2, m-kick 4 → 13 deliveries, the first answered 500 once
    expect(await t.app.get(WebhookDispatcher).whenIdle(3000)).toBe(true);
    const w = await scrape(t);
    expect(sample(w, 'signaling_webhook_deliveries_total', { outcome: 'delivered' })).toBe(13);
    expect(sample(w, 'signaling_webhook_deliveries_total', { outcome: 'failed' })).toBe(0);
    expect(sample(w, 'signaling_webhook_retries_total')).toBe(1);
    expect(sample(w, 'signaling_webhook_dropped_total')).toBe(0);
    expect(sample(w, 'signaling_webhook_queue_depth')).toBe(0);
    expect(sample(w, 'signaling_webhook_in_flight')).toBe(0);
    expect(receiver.requests).toHaveLength(14);

    // history written by now (the admin API read flushes it)
    await admin(t).get('/api/v1/sessions').expect(200);
    const h = await scrape(t);
    expect(sample(h, 'signaling_history_queue_depth')).toBe(0);
    expect(sample(h, 'signaling_history_rows_written_total')).toBeGreaterThan(0);

    // Node.js process metrics
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(w.has(name)).toBe(true);
    }
  });

  it('uses a registry of its own: a second app has its own figures, and the global registry stays empty', async () => {
    const other = await startTestApp({}, { metrics: { apiKey: 'metrics-key' } });
    try {
      const server = other.app.getHttpServer();
      await request(server).get('/metrics').expect(401);
      await request(server).get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
      const response = await request(server).get('/metrics').set('Authorization', 'Bearer metrics-key').expect(200);
      const s = parseSamples(response.text);
      expect(sample(s, 'signaling_peer_joins_total')).toBe(0);
      expect(sample(s, 'signaling_connections')).toBe(0);
      expect(sample(s, 'signaling_relay_latency_seconds_count')).toBe(0);
      expect(s.has('signaling_webhook_retries_total')).toBe(false); // no webhooks configured there
      expect(sample(await scrape(t), 'signaling_peer_joins_total')).toBe(4);
      expect(await globalRegistry.metrics()).not.toContain('signaling_');
    } finally {
      await other.close();
    }
  });

  it('is open by default and not in the Swagger document, nor are the health probes', async () => {
    await request(t.app.getHttpServer()).get('/metrics').expect(200);
    const openApi = (await request(t.app.getHttpServer()).get('/api/docs-json').expect(200)).body as { paths: object };
    const paths = Object.keys(openApi.paths);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((p) => p.startsWith('/metrics') || p.startsWith('/health'))).toEqual([]);
  });
});
