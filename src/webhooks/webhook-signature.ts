import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header with the signature: `sha256=<hex>`. */
export const SIGNATURE_HEADER = 'X-Signature-256';
/** Header with the Unix time (seconds) the request was signed at; part of the signed text. */
export const TIMESTAMP_HEADER = 'X-Webhook-Timestamp';
/** Header with the event id (the payload's `id`): the same on every retry, for de-duplication. */
export const EVENT_ID_HEADER = 'X-Webhook-Id';
/** Header with the event type (the payload's `type`). */
export const EVENT_TYPE_HEADER = 'X-Webhook-Event';
/** Header with the attempt number, 1 for the first. */
export const ATTEMPT_HEADER = 'X-Webhook-Attempt';

/**
 * `sha256=` + hex HMAC-SHA256, keyed with the secret, of `<timestamp>.<raw body>`: the timestamp
 * (Unix seconds, as sent in X-Webhook-Timestamp), a full stop, then the body's exact bytes.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookVerification {
  secret: string;
  /** The raw request body, exactly as received (before any JSON parsing). */
  body: string;
  /** X-Webhook-Timestamp. */
  timestamp: string | undefined;
  /** X-Signature-256. */
  signature: string | undefined;
  /** Largest accepted age (and clock skew) of the timestamp. Default 300 s. */
  toleranceSeconds?: number;
  /** Unix seconds now (tests). */
  now?: number;
}

/** For receivers written in Node: true when the signature matches and the timestamp is recent. */
export function verifyWebhookSignature(check: WebhookVerification): boolean {
  const { secret, body, timestamp, signature } = check;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const now = check.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (check.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const presented = Buffer.from(signature);
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}
