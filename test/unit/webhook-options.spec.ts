import { createHmac } from 'node:crypto';
import { loadAppConfig } from '../../src/config/app-config';
import { SignalingEventType } from '../../src/signaling/events/signaling-event';
import { resolveWebhookOptions, WEBHOOK_DEFAULTS } from '../../src/webhooks/webhook-options';
import { verifyWebhookSignature, webhookSignature } from '../../src/webhooks/webhook-signature';

const ENV = { ADMIN_API_KEY: 'k', DATABASE_PATH: ':memory:' };

describe('webhook configuration', () => {
  it('is off without WEBHOOK_URLS, and WEBHOOK_* variables are read when it is set', () => {
    expect(loadAppConfig(ENV).webhooks).toBeUndefined();
    const config = loadAppConfig({
      ...ENV,
      WEBHOOK_URLS: ' http://127.0.0.1:9000/a , https://127.0.0.1:9001/b ',
      WEBHOOK_SECRET: 's3cret',
      WEBHOOK_TIMEOUT_MS: '1500',
      WEBHOOK_MAX_RETRIES: '2',
      WEBHOOK_CONCURRENCY: '8',
      WEBHOOK_QUEUE_SIZE: '100',
    });
    expect(config.webhooks).toEqual({
      urls: ['http://127.0.0.1:9000/a', 'https://127.0.0.1:9001/b'],
      secret: 's3cret',
      timeoutMs: 1500,
      maxRetries: 2,
      concurrency: 8,
      maxQueueSize: 100,
    });
  });

  it('refuses URLs without a secret, and non-integer numbers', () => {
    expect(() => loadAppConfig({ ...ENV, WEBHOOK_URLS: 'http://127.0.0.1:9000/a' })).toThrow(/WEBHOOK_SECRET is required/);
    expect(() =>
      loadAppConfig({ ...ENV, WEBHOOK_URLS: 'http://127.0.0.1:9000/a', WEBHOOK_SECRET: 's', WEBHOOK_TIMEOUT_MS: '1s' }),
    ).toThrow(/WEBHOOK_TIMEOUT_MS must be an integer/);
  });

  it('applies the defaults and checks every value', () => {
    const resolved = resolveWebhookOptions({ urls: ['http://127.0.0.1:9000/'], secret: 's' });
    expect(resolved).toMatchObject({ ...WEBHOOK_DEFAULTS, urls: ['http://127.0.0.1:9000/'], secret: 's' });
    expect([...resolved.events]).toEqual(Object.values(SignalingEventType));
    expect(WEBHOOK_DEFAULTS).toEqual({
      timeoutMs: 5000,
      maxRetries: 5,
      retryBaseDelayMs: 1000,
      maxRetryDelayMs: 60_000,
      concurrency: 4,
      maxQueueSize: 10_000,
      shutdownFlushMs: 2000,
    });
    const base = { urls: ['http://127.0.0.1:9000/'], secret: 's' };
    expect(() => resolveWebhookOptions({ ...base, urls: [] })).toThrow(/at least one URL/);
    expect(() => resolveWebhookOptions({ ...base, urls: ['not a url'] })).toThrow(/is not a URL/);
    expect(() => resolveWebhookOptions({ ...base, urls: ['ftp://127.0.0.1/'] })).toThrow(/http: or https:/);
    expect(() => resolveWebhookOptions({ ...base, secret: '' })).toThrow(/secret is required/);
    expect(() => resolveWebhookOptions({ ...base, timeoutMs: 0 })).toThrow(/timeoutMs must be a positive integer/);
    expect(() => resolveWebhookOptions({ ...base, concurrency: 1.5 })).toThrow(/concurrency/);
    expect(() => resolveWebhookOptions({ ...base, maxRetries: -1 })).toThrow(/maxRetries/);
    expect(() => resolveWebhookOptions({ ...base, retryBaseDelayMs: 500, maxRetryDelayMs: 100 })).toThrow(/maxRetryDelayMs/);
    expect(() => resolveWebhookOptions({ ...base, events: ['room.exploded' as SignalingEventType] })).toThrow(/unknown event/);
    expect(resolveWebhookOptions({ ...base, maxRetries: 0 }).maxRetries).toBe(0);
  });
});

describe('webhook signature', () => {
  const body = '{"id":"x","type":"room.opened"}';

  it('is sha256= and the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    const expected = createHmac('sha256', 'secret').update(`1764057600.${body}`).digest('hex');
    expect(webhookSignature('secret', '1764057600', body)).toBe(`sha256=${expected}`);
  });

  it('verifies a fresh signature and refuses a changed body, another secret, an old or future timestamp', () => {
    const now = 1_764_057_600;
    const timestamp = String(now - 10);
    const signature = webhookSignature('secret', timestamp, body);
    const check = { secret: 'secret', body, timestamp, signature, now };
    expect(verifyWebhookSignature(check)).toBe(true);
    expect(verifyWebhookSignature({ ...check, body: body.replace('x', 'y') })).toBe(false);
    expect(verifyWebhookSignature({ ...check, secret: 'other' })).toBe(false);
    expect(verifyWebhookSignature({ ...check, now: now + 600 })).toBe(false);
    expect(verifyWebhookSignature({ ...check, now: now - 600 })).toBe(false);
    expect(verifyWebhookSignature({ ...check, now: now + 600, toleranceSeconds: 3600 })).toBe(true);
    // the timestamp is signed: replaying the body with a fresh timestamp and the old signature fails
    expect(verifyWebhookSignature({ ...check, timestamp: String(now) })).toBe(false);
    expect(verifyWebhookSignature({ ...check, signature: undefined })).toBe(false);
    expect(verifyWebhookSignature({ ...check, timestamp: 'soon' })).toBe(false);
  });
});
