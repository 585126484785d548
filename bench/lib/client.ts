import WebSocket from 'ws';

/**
 * A load-generator socket: one callback per received text frame, no promise per frame.
 * Offers no permessage-deflate (both servers run without it).
 */
export class BenchSocket {
  /** Receives every frame as text; replaced by the workloads as they go. */
  onFrame: (raw: string) => void = () => undefined;
  closed = false;
  private closeWaiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => this.onFrame(data.toString()));
    socket.on('close', () => {
      this.closed = true;
      for (const wake of this.closeWaiters.splice(0)) wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(url: string, timeoutMs = 10_000): Promise<BenchSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      const client = new BenchSocket(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    });
  }

  send(frame: string): void {
    this.socket.send(frame);
  }

  /** Closes with 1000 and resolves when the socket is closed (or at once if it already is). */
  close(timeoutMs = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.socket.terminate();
        resolve();
      }, timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.close(1000);
    });
  }

  terminate(): void {
    this.socket.terminate();
  }
}

/**
 * Exact comparison of a received frame with the expected one: same keys (a key whose expected
 * value is undefined must be absent), same primitive values, nested objects compared the same way.
 * Returns a description of the first difference, or undefined when equal.
 */
export function frameDifference(actual: unknown, expected: Record<string, unknown>): string | undefined {
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return 'not a JSON object';
  const got = actual as Record<string, unknown>;
  let keys = 0;
  for (const key in expected) {
    const want = expected[key];
    if (want === undefined) {
      if (key in got) return `unexpected "${key}"`;
      continue;
    }
    keys++;
    const value = got[key];
    if (want !== null && typeof want === 'object') {
      const inner = frameDifference(value, want as Record<string, unknown>);
      if (inner) return `${key}: ${inner}`;
    } else if (value !== want) {
      return `"${key}" is ${short(value)}, expected ${short(want)}`;
    }
  }
  let count = 0;
  for (const _ in got) count++;
  if (count !== keys) return `has ${count} keys, expected ${keys} (${Object.keys(got).join(',')})`;
  return undefined;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Connects `count` sockets with at most `parallel` handshakes in flight. */
export async function connectMany(urls: (index: number) => string, count: number, parallel: number): Promise<BenchSocket[]> {
  const sockets = new Array<BenchSocket>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      sockets[index] = await BenchSocket.connect(urls(index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return sockets;
}
