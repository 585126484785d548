import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { SignalingEvent } from '../signaling/events/signaling-event';
import { SignalingEvents } from '../signaling/events/signaling-events.service';
import { WEBHOOK_OPTIONS, type ResolvedWebhookOptions } from './webhook-options.interface';
import { toWebhookPayload } from './webhook-payload';
import {
  ATTEMPT_HEADER,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  webhookSignature,
} from './webhook-signature';

/** One event for one receiver. */
interface Delivery {
  readonly url: string;
  readonly eventId: string;
  readonly type: string;
  readonly body: string;
  /** Attempts made so far. */
  attempts: number;
}

type Outcome = { result: 'delivered' } | { result: 'retry' | 'failed'; detail: string };

const USER_AGENT = 'nest-ams-p2p-signaling-webhooks/1';
const LOG_INTERVAL_MS = 10_000;

/**
 * POSTs lifecycle events (room opened/closed, peer joined/left, call started) to the configured
 * receivers, signed with HMAC-SHA256. The event listener only builds the payload and queues it:
 * requests go out later, at most `concurrency` at a time, each with a timeout, and are retried with
 * exponential backoff on network errors, timeouts and 5xx (never on other statuses). Past
 * `maxQueueSize` waiting deliveries new ones are dropped and counted. Nothing here can slow or
 * fail signaling. At shutdown what is queued gets `shutdownFlushMs` to go out, then in-flight
 * requests are aborted and every timer is cleared.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private ready: Delivery[] = [];
  private readonly backingOff = new Map<NodeJS.Timeout, Delivery>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private readonly receivers: ReadonlyMap<string, string>;
  private pumpScheduled: NodeJS.Immediate | undefined;
  private unsubscribe: (() => void) | undefined;
  private closing = false;
  private sequence = 0;
  private idleWaiters: Array<() => void> = [];
  private lastDropLog = 0;
  private lastFailureLog = 0;

  /**
   * Figures for metrics, in deliveries (one event for one receiver): `delivered` (2xx), `failed`
   * (given up: another status, retries exhausted, or aborted at shutdown), `retried` (attempts
   * that failed and were retried), `dropped` (queue full, or still queued when shutdown ended).
   */
  readonly stats = { delivered: 0, failed: 0, retried: 0, dropped: 0 };

  constructor(
    private readonly events: SignalingEvents,
    @Inject(WEBHOOK_OPTIONS) private readonly options: ResolvedWebhookOptions,
  ) {
    // Logs name a receiver by its origin only: paths and queries of webhook URLs often hold tokens.
    this.receivers = new Map(options.urls.map((url) => [url, new URL(url).origin]));
  }

  /** Deliveries waiting for a free slot or for their next attempt. */
  get queueDepth(): number {
    return this.ready.length + this.backingOff.size;
  }

  /** Requests in flight now. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  onModuleInit(): void {
    this.unsubscribe = this.events.subscribe((event) => this.enqueue(event));
    this.logger.log(`sending lifecycle events to ${this.options.urls.length} webhook receiver(s)`);
  }

  /** Resolves true once nothing is queued or in flight, or false after `timeoutMs`. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean): void => {
        clearTimeout(timer);
        this.idleWaiters = this.idleWaiters.filter((waiter) => waiter !== onIdle);
        resolve(idle);
      };
      const onIdle = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.push(onIdle);
    });
  }

  /** After signaling has closed every session (its last events are queued), before the app ends. */
  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    this.closing = true;
    // Deliveries waiting out a backoff get their last attempt now rather than never.
    for (const [timer, delivery] of this.backingOff) {
      clearTimeout(timer);
      this.ready.push(delivery);
    }
    this.backingOff.clear();
    this.pump();
    await this.whenIdle(this.options.shutdownFlushMs);
    this.shutdown.abort();
    if (this.pumpScheduled) clearImmediate(this.pumpScheduled);
    this.pumpScheduled = undefined;
    const unsent = this.ready.length;
    this.ready = [];
    this.stats.dropped += unsent;
    const aborted = this.inFlight.size;
    await Promise.allSettled([...this.inFlight]);
    if (unsent > 0 || aborted > 0) {
      this.logger.warn(`shutdown: ${aborted} webhook request(s) aborted, ${unsent} delivery(ies) not sent`);
    }
  }

  /** The event listener: builds the payload once, queues one delivery per receiver, returns. */
  private enqueue(event: SignalingEvent): void {
    if (!this.options.events.has(event.type)) return;
    const payload = toWebhookPayload(event, randomUUID(), ++this.sequence);
    const body = JSON.stringify(payload);
    for (const url of this.options.urls) {
      if (this.closing || this.queueDepth >= this.options.maxQueueSize) {
        this.drop();
        continue;
      }
      this.ready.push({ url, eventId: payload.id, type: payload.type, body, attempts: 0 });
    }
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.shutdown.signal.aborted) return;
    this.pumpScheduled = setImmediate(() => {
      this.pumpScheduled = undefined;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight.size < this.options.concurrency && this.ready.length > 0 && !this.shutdown.signal.aborted) {
      const delivery = this.ready.shift() as Delivery;
      const attempt: Promise<void> = this.attempt(delivery).then(() => {
        this.inFlight.delete(attempt);
        this.pump();
        this.notifyIfIdle();
      });
      this.inFlight.add(attempt);
    }
  }

  /** One attempt, then the delivery is done, failed, or waiting for its next attempt. Never rejects. */
  private async attempt(delivery: Delivery): Promise<void> {
    delivery.attempts++;
    const outcome = await this.send(delivery);
    if (outcome.result === 'delivered') {
      this.stats.delivered++;
      return;
    }
    if (outcome.result === 'retry' && delivery.attempts <= this.options.maxRetries && !this.closing) {
      this.stats.retried++;
      const delay = this.retryDelay(delivery.attempts);
      this.logger.debug(
        `webhook ${delivery.type} ${delivery.eventId} to ${this.receivers.get(delivery.url)}: ${outcome.detail}; ` +
          `attempt ${delivery.attempts + 1} in ${delay} ms`,
      );
      const timer = setTimeout(() => {
        this.backingOff.delete(timer);
        this.ready.push(delivery);
        this.pump();
      }, delay);
      timer.unref();
      this.backingOff.set(timer, delivery);
      return;
    }
    this.stats.failed++;
    this.logFailure(delivery, outcome.detail);
  }

  private async send(delivery: Delivery): Promise<Outcome> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': USER_AGENT,
          [EVENT_ID_HEADER]: delivery.eventId,
          [EVENT_TYPE_HEADER]: delivery.type,
          [ATTEMPT_HEADER]: String(delivery.attempts),
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: webhookSignature(this.options.secret, timestamp, delivery.body),
        },
        body: delivery.body,
        // A signed request is never re-sent elsewhere: a redirect is a failure.
        redirect: 'manual',
        signal: AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      // The response body is not used; cancel it so the connection is released.
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { result: 'delivered' };
      return { result: response.status >= 500 ? 'retry' : 'failed', detail: `HTTP ${response.status}` };
    } catch (error) {
      if (this.shutdown.signal.aborted) return { result: 'failed', detail: 'aborted at shutdown' };
      const failure = error as Error & { cause?: { code?: string; message?: string } };
      if (failure.name === 'TimeoutError') {
        return { result: 'retry', detail: `no response within ${this.options.timeoutMs} ms` };
      }
      return { result: 'retry', detail: failure.cause?.code ?? failure.cause?.message ?? failure.message };
    }
  }

  /** Exponential: base × 2^(n−1), capped, then randomised down by up to half (retries of many events spread out). */
  private retryDelay(attempts: number): number {
    const ceiling = Math.min(this.options.maxRetryDelayMs, this.options.retryBaseDelayMs * 2 ** (attempts - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  private isIdle(): boolean {
    return this.queueDepth === 0 && this.inFlight.size === 0;
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private drop(): void {
    this.stats.dropped++;
    const now = Date.now();
    if (now - this.lastDropLog < LOG_INTERVAL_MS) return;
    this.lastDropLog = now;
    const why = this.closing ? 'shutting down' : `queue full (${this.options.maxQueueSize})`;
    this.logger.error(`webhook delivery dropped: ${why}; ${this.stats.dropped} dropped so far`);
  }

  private logFailure(delivery: Delivery, detail: string): void {
    const message =
      `webhook ${delivery.type} ${delivery.eventId} to ${this.receivers.get(delivery.url)} failed after ` +
      `${delivery.attempts} attempt(s): ${detail}`;
    const now = Date.now();
    if (now - this.lastFailureLog < LOG_INTERVAL_MS) {
      this.logger.debug(message);
      return;
    }
    this.lastFailureLog = now;
    this.logger.warn(`${message} (${this.stats.failed} failed so far)`);
  }
}
