export const enum RateDecision {
  Admit,
  /** Drop the frame and tell the client (first excess frame of a window). */
  DropAndTell,
  Drop,
  /** Excess is sustained: close the connection. */
  Close,
}

const WINDOW_MS = 10_000;

/**
 * Token bucket of one connection: `burst` frames at once, refilled at `perSecond`. Frames over it
 * are dropped; more than `maxDropped` of them within 10 s means the client will not slow down.
 */
export class MessageRateLimiter {
  private tokens: number;
  private last: number;
  private windowStart = 0;
  private dropped = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly maxDropped: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  take(now: number): RateDecision {
    const tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perSecond) / 1000);
    this.last = now;
    if (tokens >= 1) {
      this.tokens = tokens - 1;
      return RateDecision.Admit;
    }
    this.tokens = tokens;
    if (now - this.windowStart > WINDOW_MS) {
      this.windowStart = now;
      this.dropped = 0;
    }
    this.dropped++;
    if (this.dropped > this.maxDropped) return RateDecision.Close;
    return this.dropped === 1 ? RateDecision.DropAndTell : RateDecision.Drop;
  }
}
