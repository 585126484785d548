import type { INestApplication } from '@nestjs/common';
import WebSocket from 'ws';
import { ConnectionRegistry } from '../../../src/signaling/connections/connection-registry.service';
import { Notifier } from '../../support/wait';
import type { FuzzCase, RoomNames } from './frame-arbitraries';
import { matchesFrame, parsePayload, SignalingModel, touchesForeignRoom, type Frame, type ModelLimits } from './signaling-model';

const PING = '{"command":"ping"}';
const STEP_TIMEOUT_MS = 15_000;

/** One client socket of a driver: checks each frame it receives against what the model said, as it arrives. */
class FuzzSocket {
  readonly expected: Frame[] = [];
  closeCode: number | undefined;
  connectionId = '';
  framesReceived = 0;

  private constructor(
    readonly ws: WebSocket,
    private readonly label: string,
    private readonly mismatches: string[],
    private readonly notifier: Notifier,
  ) {
    ws.on('message', (data: Buffer) => {
      this.framesReceived++;
      this.check(data.toString('utf8'));
      notifier.notify();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      notifier.notify();
    });
    ws.on('error', () => undefined); // the close that follows is what is checked
  }

  static async open(url: string, label: string, mismatches: string[], notifier: Notifier): Promise<FuzzSocket> {
    const ws = new WebSocket(url);
    const socket = new FuzzSocket(ws, label, mismatches, notifier);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return socket;
  }

  get drained(): boolean {
    return this.expected.length === 0;
  }

  private check(text: string): void {
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      this.mismatches.push(`${this.label}: received a frame that is not JSON: ${text.slice(0, 200)}`);
      return;
    }
    const expected = this.expected.shift();
    if (!expected) {
      this.mismatches.push(`${this.label}: unexpected frame ${text.slice(0, 300)}`);
    } else if (!matchesFrame(expected, frame)) {
      this.mismatches.push(`${this.label}: expected ${JSON.stringify(expected).slice(0, 300)}, got ${text.slice(0, 300)}`);
    }
  }
}

export interface DriverFigures {
  sent: number;
  skipped: number;
  bytes: number;
  reconnects: number;
  byKind: Record<string, number>;
  byOutcome: Record<string, number>;
}

/**
 * Sends fuzz frames from `slots` sockets that share the driver's rooms (and nobody else's), one
 * frame at a time: after each frame it sends a `ping` on the same socket and waits until every
 * socket of the driver received exactly what the model predicts (the `pong` last, for the sender:
 * replies keep the order of frames, so nothing more can come for that frame). A frame that closes
 * its socket (over the size limit, invalid UTF-8) is followed by waiting for the close code and for
 * the server to forget the connection, then the slot gets a fresh socket.
 */
export class FuzzDriver {
  readonly figures: DriverFigures = { sent: 0, skipped: 0, bytes: 0, reconnects: 0, byKind: {}, byOutcome: {} };
  readonly mismatches: string[] = [];
  private readonly notifier = new Notifier();
  private readonly sockets: FuzzSocket[] = [];
  private readonly model: SignalingModel;
  private readonly connections: ConnectionRegistry;
  private aborted = false;

  constructor(
    private readonly app: INestApplication,
    private readonly wsUrl: string,
    private readonly names: RoomNames & { owns(streamId: string): boolean },
    private readonly limits: ModelLimits,
    private readonly slots: number,
    iceServerConfig: Frame,
  ) {
    this.model = new SignalingModel(limits, slots, iceServerConfig);
    this.connections = app.get(ConnectionRegistry);
  }

  async run(cases: Iterable<FuzzCase>, quota: number): Promise<void> {
    for (let slot = 0; slot < this.slots; slot++) this.sockets[slot] = await this.open(slot);
    for (const fuzzCase of cases) {
      if (this.figures.sent >= quota || this.aborted) break;
      await this.step(fuzzCase);
    }
    if (this.figures.sent < quota) throw new Error(`${this.names.prefix}: only ${this.figures.sent} of ${quota} frames generated`);
    // a last ping on every socket: anything unexpected still on its way arrives before the pong
    for (const socket of this.sockets) {
      socket.expected.push({ command: 'pong' });
      socket.ws.send(PING);
    }
    await this.settle(() => true, 'the final pongs');
  }

  /** Closes the driver's sockets (the model says who gets `stop`; nobody is left to receive it). */
  close(): void {
    for (const socket of this.sockets) socket?.ws.terminate();
  }

  /** Stops a run still in progress (a test that failed elsewhere): its next wait throws at once. */
  abort(): void {
    this.aborted = true;
    this.close();
    this.notifier.notify();
  }

  private async step(fuzzCase: FuzzCase): Promise<void> {
    const payload = typeof fuzzCase.payload === 'string' ? Buffer.from(fuzzCase.payload, 'utf8') : Buffer.from(fuzzCase.payload);
    const slot = fuzzCase.slot % this.slots;
    if (payload.length <= this.limits.maxFrameBytes) {
      const parsed = parsePayload(payload);
      if (parsed.ok && touchesForeignRoom(parsed.value, this.limits.maxStreamIdLength, this.names.owns)) {
        this.figures.skipped++;
        return;
      }
    }
    const outcome = this.model.apply(slot, payload, fuzzCase.binary);
    this.figures.sent++;
    this.figures.bytes += payload.length;
    count(this.figures.byKind, fuzzCase.kind);
    count(this.figures.byOutcome, outcome.category);
    for (const [to, frame] of outcome.deliveries) this.sockets[to].expected.push(frame);
    const sender = this.sockets[slot];
    sender.ws.send(payload, { binary: fuzzCase.binary });
    const what = `${fuzzCase.kind} frame #${this.figures.sent} (${outcome.category}): ${payload.subarray(0, 160).toString('utf8')}`;
    if (outcome.close === undefined) {
      sender.expected.push({ command: 'pong' });
      sender.ws.send(PING);
      await this.settle(() => true, what);
      return;
    }
    await this.settle(
      () => sender.closeCode !== undefined && this.connections.get(sender.connectionId) === undefined,
      `${what}: the close and the server's clean-up`,
    );
    if (sender.closeCode !== outcome.close) {
      this.mismatches.push(`${this.names.prefix}${slot}: closed with ${sender.closeCode}, expected ${outcome.close} after ${what}`);
    }
    this.sockets[slot] = await this.open(slot);
    this.figures.reconnects++;
  }

  /** Waits until every socket received what it should (and `also` holds); fails on the first mismatch. */
  private async settle(also: () => boolean, what: string): Promise<void> {
    await this.notifier.until(
      () => this.aborted || this.mismatches.length > 0 || (this.sockets.every((s) => s.drained) && also()),
      STEP_TIMEOUT_MS,
      () => `${what}; still expected: ${JSON.stringify(this.sockets.map((s) => s.expected)).slice(0, 400)}`,
    );
    if (this.mismatches.length > 0) throw new Error(`after ${what}:\n${this.mismatches.join('\n')}`);
    if (this.aborted) throw new Error(`${this.names.prefix}: aborted`);
  }

  private async open(slot: number): Promise<FuzzSocket> {
    const socket = await FuzzSocket.open(this.wsUrl, `${this.names.prefix}${slot}`, this.mismatches, this.notifier);
    socket.connectionId = await serverConnectionId(this.connections, socket.ws);
    return socket;
  }
}

function count(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** The server's id of a client socket: the connection whose remote port is the client's local port. */
export async function serverConnectionId(connections: ConnectionRegistry, ws: WebSocket): Promise<string> {
  const port = (ws as unknown as { _socket: { localPort: number } })._socket.localPort;
  const deadline = Date.now() + 5000;
  for (;;) {
    for (const connection of connections.values()) {
      if ((connection.socket as unknown as { _socket?: { remotePort?: number } })._socket?.remotePort === port) return connection.id;
    }
    if (Date.now() > deadline) throw new Error(`no server connection for the client on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
