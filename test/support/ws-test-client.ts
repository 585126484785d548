import WebSocket from 'ws';

export type Frame = Record<string, unknown> & { command?: string };

/**
 * A plain `ws` client that records every frame it receives, so a test can await the next one
 * or assert that none came.
 */
export class WsTestClient {
  readonly received: Frame[] = [];
  private waiters: Array<() => void> = [];
  private cursor = 0;
  closeCode: number | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as Frame);
      this.wake();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  static connect(url: string, options: WebSocket.ClientOptions = {}): Promise<WsTestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      const client = new WsTestClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame not yet consumed by `next`. */
  async next(timeoutMs = 3000): Promise<Frame> {
    await this.waitFor(() => this.cursor < this.received.length, timeoutMs, 'a frame');
    return this.received[this.cursor++];
  }

  /** Consumes `count` frames. */
  async take(count: number, timeoutMs = 3000): Promise<Frame[]> {
    const frames: Frame[] = [];
    for (let i = 0; i < count; i++) frames.push(await this.next(timeoutMs));
    return frames;
  }

  /** Resolves when no unconsumed frame arrives within `ms`; rejects with the frame otherwise. */
  async expectSilence(ms = 150): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    if (this.cursor < this.received.length) {
      throw new Error(`expected no frame, got ${JSON.stringify(this.received[this.cursor])}`);
    }
  }

  async closed(timeoutMs = 3000): Promise<number> {
    await this.waitFor(() => this.closeCode !== undefined, timeoutMs, 'close');
    return this.closeCode as number;
  }

  close(): void {
    this.socket.close();
  }

  terminate(): void {
    this.socket.terminate();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private async waitFor(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
