import { Injectable, Logger } from '@nestjs/common';
import { logSafeMessage, logSafeStack } from '../log-safe';
import type { SignalingEvent, SignalingEventListener } from './signaling-event';

/**
 * Peer lifecycle events (room opened/closed, peer joined/left with a reason, call started).
 * Persistence, webhooks and metrics subscribe here instead of touching the gateway.
 * Listeners run synchronously and must not block: queue real work. A listener that throws is
 * logged and never disturbs signaling or the other listeners.
 */
@Injectable()
export class SignalingEvents {
  private readonly logger = new Logger(SignalingEvents.name);
  private listeners: readonly SignalingEventListener[] = [];

  /** Returns a function that removes the listener. */
  subscribe(listener: SignalingEventListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(event: SignalingEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`listener failed on ${event.type}: ${logSafeMessage(error, 500)}`, logSafeStack(error, 500));
      }
    }
  }
}
