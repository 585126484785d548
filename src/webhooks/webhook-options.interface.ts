import type { SignalingEventType } from '../signaling/events/signaling-event';

export interface WebhookModuleOptions {
  /** Receivers: every event is POSTed to each of them (http: or https:). */
  urls: string[];
  /** HMAC-SHA256 key of the `X-Signature-256` header. Required: requests are always signed. */
  secret: string;
  /** Time allowed for one attempt (until the response headers arrive). Default 5000 ms. */
  timeoutMs?: number;
  /** Attempts after the first on a network error, a timeout or a 5xx. Default 5. */
  maxRetries?: number;
  /** Delay before the first retry; each next one doubles, with jitter. Default 1000 ms. */
  retryBaseDelayMs?: number;
  /** Longest delay between two attempts. Default 60000 ms. */
  maxRetryDelayMs?: number;
  /** Requests in flight at most, over all receivers. Default 4. */
  concurrency?: number;
  /** Deliveries (event × receiver) waiting or backing off at most; past it new ones are dropped and counted. Default 10000. */
  maxQueueSize?: number;
  /** At shutdown, time given to deliver what is queued before in-flight requests are aborted. Default 2000 ms. */
  shutdownFlushMs?: number;
  /** Event types to send. Default: all of them. */
  events?: SignalingEventType[];
}

export interface ResolvedWebhookOptions {
  readonly urls: readonly string[];
  readonly secret: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly concurrency: number;
  readonly maxQueueSize: number;
  readonly shutdownFlushMs: number;
  readonly events: ReadonlySet<SignalingEventType>;
}

/** Injection token of the resolved options. */
export const WEBHOOK_OPTIONS = Symbol('WEBHOOK_OPTIONS');
