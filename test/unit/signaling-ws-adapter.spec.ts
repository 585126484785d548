import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { of } from 'rxjs';
import { FRAME_ROUTER } from '../../src/signaling/frame-router';
import { SignalingWsAdapter } from '../../src/signaling/signaling-ws-adapter';
import { INVALID_FRAME_EVENT, signalingMessageParser } from '../../src/signaling/protocol/signaling-message-parser';

/** Lets every pending promise callback run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class FakeClient extends EventEmitter {
  readyState = 1;
  readonly sent: string[] = [];
  send(frame: string): void {
    this.sent.push(frame);
  }
  /** What ws emits for a text frame: a Buffer and isBinary false. */
  text(frame: string): void {
    this.emit('message', Buffer.from(frame), false);
  }
}

function handler(message: string, callback: (...args: unknown[]) => unknown) {
  return { message, callback, isAckHandledManually: false, methodName: message };
}

describe('SignalingWsAdapter (per-message path)', () => {
  it('routes each frame to the handler of its event with (data, event), synchronously and in order', () => {
    const adapter = new SignalingWsAdapter(undefined, { messageParser: signalingMessageParser });
    const client = new FakeClient();
    const calls: unknown[][] = [];
    adapter.bindMessageHandlers(client, [
      handler('ping', (...args) => void calls.push(['ping', ...args])),
      handler('join', (...args) => void calls.push(['join', ...args])),
      handler(INVALID_FRAME_EVENT, (...args) => void calls.push(['invalid', ...args])),
    ], () => of());
    client.text('{"command":"join","streamId":"r1"}');
    client.text('{"command":"ping"}');
    client.text('not json');
    client.text('{"command":"publish"}'); // routed to the unknown-command event: no handler here, dropped
    expect(calls).toEqual([
      ['join', { command: 'join', streamId: 'r1' }, 'join'],
      ['ping', { command: 'ping' }, 'ping'],
      ['invalid', 'frame is not valid JSON', INVALID_FRAME_EVENT],
    ]);
  });

  it('gives the parser text frames as strings and binary frames as they came', () => {
    const seen: unknown[] = [];
    const adapter = new SignalingWsAdapter(undefined, {
      messageParser: (data) => {
        seen.push(data);
        return undefined;
      },
    });
    const client = new FakeClient();
    adapter.bindMessageHandlers(client, [], () => of());
    client.text('{"a":1}');
    const binary = Buffer.from('{"b":2}');
    client.emit('message', binary, true);
    expect(seen).toEqual(['{"a":1}', binary]);
  });

  it('drops a frame whose parser or handler throws, and keeps serving the client', () => {
    const adapter = new SignalingWsAdapter(); // Nest's default parser: {"event":…,"data":…}
    const client = new FakeClient();
    const calls: unknown[] = [];
    adapter.bindMessageHandlers(client, [
      handler('boom', () => {
        throw new Error('handler fault');
      }),
      handler('echo', (data) => void calls.push(data)),
    ], () => of());
    client.text('{');
    client.text('{"event":"boom","data":1}');
    client.text('{"event":"nobody","data":2}');
    client.text('{"event":"echo","data":3}');
    expect(calls).toEqual([3]);
  });

  it('sends a handler result back as the stock WsAdapter does: values and Observable items, not null/undefined', async () => {
    const adapter = new SignalingWsAdapter();
    const client = new FakeClient();
    adapter.bindMessageHandlers(client, [
      handler('value', async () => ({ event: 'value', data: 1 })),
      handler('nothing', async () => undefined),
      handler('stream', async () => of({ event: 'a' }, null, { event: 'b' })),
      handler('plain', () => 'sync result'),
    ], () => of());
    client.text('{"event":"value"}');
    client.text('{"event":"nothing"}');
    client.text('{"event":"stream"}');
    client.text('{"event":"plain"}');
    await flush();
    expect(client.sent).toEqual(['"sync result"', '{"event":"value","data":1}', '{"event":"a"}', '{"event":"b"}']);
  });

  it('sends no result to a client that is no longer open', async () => {
    const adapter = new SignalingWsAdapter();
    const client = new FakeClient();
    adapter.bindMessageHandlers(client, [handler('value', async () => ({ event: 'value' }))], () => of());
    client.text('{"event":"value"}');
    client.readyState = 3;
    await flush();
    expect(client.sent).toEqual([]);
  });

  it('keeps each client to its own handlers', () => {
    const adapter = new SignalingWsAdapter();
    const first = new FakeClient();
    const second = new FakeClient();
    const calls: string[] = [];
    adapter.bindMessageHandlers(first, [handler('hi', () => void calls.push('first'))], () => of());
    adapter.bindMessageHandlers(second, [handler('hi', () => void calls.push('second'))], () => of());
    second.text('{"event":"hi"}');
    first.text('{"event":"hi"}');
    expect(calls).toEqual(['second', 'first']);
  });
});

describe('SignalingWsAdapter (a socket its gateway routes itself: FRAME_ROUTER)', () => {
  it('hands every parsed frame to the router, in order, and keeps no handler list for the socket', () => {
    const adapter = new SignalingWsAdapter(undefined, { messageParser: signalingMessageParser });
    const client = new FakeClient() as FakeClient & Record<symbol, unknown>;
    const routed: unknown[][] = [];
    const handlerCalls: unknown[] = [];
    client[FRAME_ROUTER] = { routeFrame: (socket: unknown, event: string, data: unknown) => void routed.push([socket === client, event, data]) };
    adapter.bindMessageHandlers(client, [handler('ping', () => void handlerCalls.push('handler'))], () => of());
    client.text('{"command":"ping"}');
    client.text('{"command":"takeCandidate","streamId":"r"}');
    client.text('[]');
    expect(routed).toEqual([
      [true, 'ping', { command: 'ping' }],
      [true, 'takeCandidate', { command: 'takeCandidate', streamId: 'r' }],
      [true, INVALID_FRAME_EVENT, 'frame must be a JSON object'],
    ]);
    expect(handlerCalls).toEqual([]);
    expect(Object.getOwnPropertySymbols(client).map(String)).not.toContain('Symbol(messageHandlers)');
  });

  it('logs what a router throws (a server fault), escaped, and goes on serving the socket', () => {
    const adapter = new SignalingWsAdapter(undefined, { messageParser: signalingMessageParser });
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const client = new FakeClient() as FakeClient & Record<symbol, unknown>;
      const routed: string[] = [];
      client[FRAME_ROUTER] = {
        routeFrame: (_socket: unknown, event: string) => {
          if (event === 'join') throw new Error('fault\nforged line');
          routed.push(event);
        },
      };
      adapter.bindMessageHandlers(client, [], () => of());
      client.text('{"command":"join"}');
      client.text('{"command":"ping"}');
      expect(routed).toEqual(['ping']);
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0][0])).toBe('fault\\nforged line');
    } finally {
      errors.mockRestore();
    }
  });
});
