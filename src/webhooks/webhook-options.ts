import { SignalingEventType } from '../signaling/events/signaling-event';
import type { ResolvedWebhookOptions, WebhookModuleOptions } from './webhook-options.interface';

export const WEBHOOK_DEFAULTS = {
  timeoutMs: 5000,
  maxRetries: 5,
  retryBaseDelayMs: 1000,
  maxRetryDelayMs: 60_000,
  concurrency: 4,
  maxQueueSize: 10_000,
  shutdownFlushMs: 2000,
} as const;

/** Defaults applied and every value checked, so a misconfiguration fails at boot with a message that names the option. */
export function resolveWebhookOptions(options: WebhookModuleOptions): ResolvedWebhookOptions {
  if (!options || !Array.isArray(options.urls) || options.urls.length === 0) {
    throw new Error('WebhooksModule: urls must configure at least one URL');
  }
  for (const url of options.urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`WebhooksModule: urls: "${url}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new Error(`WebhooksModule: urls: "${url}" must be an http: or https: URL`);
    }
  }
  if (typeof options.secret !== 'string' || options.secret.length === 0) {
    throw new Error('WebhooksModule: secret is required with urls (requests are signed with HMAC-SHA256)');
  }
  if (options.events !== undefined && !Array.isArray(options.events)) {
    throw new Error('WebhooksModule: events must be a list of event types');
  }
  const known = new Set<string>(Object.values(SignalingEventType));
  for (const type of options.events ?? []) {
    if (!known.has(type)) throw new Error(`WebhooksModule: events: unknown event type "${type}"`);
  }
  const timeoutMs = positive('timeoutMs', options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs);
  const retryBaseDelayMs = positive('retryBaseDelayMs', options.retryBaseDelayMs ?? WEBHOOK_DEFAULTS.retryBaseDelayMs);
  const maxRetryDelayMs = positive('maxRetryDelayMs', options.maxRetryDelayMs ?? WEBHOOK_DEFAULTS.maxRetryDelayMs);
  if (maxRetryDelayMs < retryBaseDelayMs) throw new Error('WebhooksModule: maxRetryDelayMs must be at least retryBaseDelayMs');
  return {
    urls: [...options.urls],
    secret: options.secret,
    timeoutMs,
    maxRetries: nonNegative('maxRetries', options.maxRetries ?? WEBHOOK_DEFAULTS.maxRetries),
    retryBaseDelayMs,
    maxRetryDelayMs,
    concurrency: positive('concurrency', options.concurrency ?? WEBHOOK_DEFAULTS.concurrency),
    maxQueueSize: positive('maxQueueSize', options.maxQueueSize ?? WEBHOOK_DEFAULTS.maxQueueSize),
    shutdownFlushMs: nonNegative('shutdownFlushMs', options.shutdownFlushMs ?? WEBHOOK_DEFAULTS.shutdownFlushMs),
    events: new Set(options.events ?? Object.values(SignalingEventType)),
  };
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`WebhooksModule: ${name} must be a positive integer (got ${value})`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`WebhooksModule: ${name} must be a non-negative integer (got ${value})`);
  return value;
}
