import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as received. */
  body: string;
  receivedAt: number;
  /** The client closed the connection before a response was sent (set later for hung requests). */
  abortedByClient: boolean;
}

/** A status to answer with, or `hang`: never answer (until the receiver closes). */
export type Reply = number | 'hang';

/**
 * A webhook receiver on 127.0.0.1 and a random port: records every request and answers as
 * `reply` says (200 by default).
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  reply: (request: ReceivedRequest, index: number) => Reply = () => 200;
  private readonly hung = new Set<ServerResponse>();
  private waiters: Array<() => void> = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request: ReceivedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
          abortedByClient: false,
        };
        const index = receiver.requests.push(request) - 1;
        const reply = receiver.reply(request, index);
        res.on('close', () => {
          if (!res.writableEnded) request.abortedByClient = true;
          receiver.hung.delete(res);
          receiver.wake();
        });
        if (reply === 'hang') receiver.hung.add(res);
        else res.writeHead(reply, { 'Content-Type': 'text/plain' }).end(reply < 300 ? 'ok' : 'no');
        receiver.wake();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** Requests still waiting for an answer. */
  get hanging(): number {
    return this.hung.size;
  }

  /** Waits until `ready()` holds (checked on every request and every closed response). */
  async waitUntil(ready: () => boolean, timeoutMs = 5000, what = 'the receiver'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.requests.length} request(s))`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  waitForRequests(count: number, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.requests.length >= count, timeoutMs, `${count} request(s)`);
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
