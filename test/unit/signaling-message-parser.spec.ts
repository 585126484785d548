import { InboundCommand } from '../../src/signaling/protocol/signaling-command.enum';
import {
  INVALID_FRAME_EVENT,
  UNKNOWN_COMMAND_EVENT,
  signalingMessageParser,
} from '../../src/signaling/protocol/signaling-message-parser';

describe('signalingMessageParser', () => {
  it('routes every known command to its own event with the parsed frame', () => {
    const known = ['ping', 'getIceServerConfig', 'join', 'leave', 'takeConfiguration', 'takeCandidate', 'peerMessageCommand'];
    expect(Object.values(InboundCommand).sort()).toEqual([...known].sort());
    for (const command of known) {
      const raw = JSON.stringify({ command, streamId: 's1', extra: [1] });
      expect(signalingMessageParser(raw)).toEqual({ event: command, data: { command, streamId: 's1', extra: [1] } });
    }
  });

  it.each(['publish', 'play', 'getStreamInfo', 'connectWithNewId', 'Join', 'JOIN', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'routes the unknown command %p to the unknown-command event with the frame',
    (command) => {
      const raw = JSON.stringify({ command, streamId: 'x' });
      const parsed = signalingMessageParser(raw);
      expect(parsed.event).toBe(UNKNOWN_COMMAND_EVENT);
      expect(parsed.data).toEqual(JSON.parse(raw));
    },
  );

  it('routes an unknown command without a streamId too', () => {
    expect(signalingMessageParser('{"command":"getStreamInfo"}')).toEqual({
      event: UNKNOWN_COMMAND_EVENT,
      data: { command: 'getStreamInfo' },
    });
  });

  it.each([
    ['not json', /JSON/],
    ['{"command":', /JSON/],
    ['', /JSON/],
    ["{'command':'join'}", /JSON/],
    ['[]', /object/],
    ['[{"command":"join"}]', /object/],
    ['null', /object/],
    ['"join"', /object/],
    ['42', /object/],
    ['true', /object/],
    ['{}', /command/],
    ['{"command":7}', /command/],
    ['{"command":null}', /command/],
    ['{"command":["join"]}', /command/],
    ['{"command":{"name":"join"}}', /command/],
    ['{"cmd":"join","streamId":"x"}', /command/],
  ])('routes %p to the invalid-frame event with a reason', (raw, reason) => {
    const parsed = signalingMessageParser(raw);
    expect(parsed.event).toBe(INVALID_FRAME_EVENT);
    expect(typeof parsed.data).toBe('string');
    expect(parsed.data).toMatch(reason);
  });

  it('gives distinct reasons for bad JSON, non-objects and a missing command', () => {
    const reasons = new Set(['nope', '[]', '{}'].map((raw) => signalingMessageParser(raw).data));
    expect(reasons.size).toBe(3);
  });

  it('a top-level "__proto__" key cannot smuggle in a command', () => {
    const parsed = signalingMessageParser('{"__proto__":{"command":"join"},"streamId":"x"}');
    expect(parsed.event).toBe(INVALID_FRAME_EVENT);
    expect(({} as Record<string, unknown>).command).toBeUndefined();
  });

  it('accepts a Buffer', () => {
    const raw = Buffer.from(JSON.stringify({ command: 'join', streamId: 'bü' }), 'utf8');
    expect(signalingMessageParser(raw)).toEqual({ event: 'join', data: { command: 'join', streamId: 'bü' } });
  });

  it('accepts a Buffer[] (fragmented message), even split inside a multi-byte character', () => {
    const bytes = Buffer.from(JSON.stringify({ command: 'peerMessageCommand', streamId: 's', data: 'üü' }), 'utf8');
    const split = bytes.indexOf(Buffer.from('ü', 'utf8')) + 1; // in the middle of the 2-byte ü
    const parts = [bytes.subarray(0, 3), bytes.subarray(3, split), bytes.subarray(split)];
    expect(signalingMessageParser(parts)).toEqual({
      event: 'peerMessageCommand',
      data: { command: 'peerMessageCommand', streamId: 's', data: 'üü' },
    });
  });

  it('accepts an ArrayBuffer', () => {
    const bytes = Buffer.from('{"command":"ping"}', 'utf8');
    const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    expect(signalingMessageParser(arrayBuffer)).toEqual({ event: 'ping', data: { command: 'ping' } });
  });

  it('routes invalid bytes in a Buffer to the invalid-frame event', () => {
    const parsed = signalingMessageParser(Buffer.from([0xff, 0xfe, 0x00]));
    expect(parsed.event).toBe(INVALID_FRAME_EVENT);
    expect(typeof parsed.data).toBe('string');
  });

  it('never throws', () => {
    for (const raw of ['\u0000', '{"command":"join"', '{'.repeat(10_000), `"${'x'.repeat(100_000)}"`]) {
      expect(() => signalingMessageParser(raw)).not.toThrow();
      expect(signalingMessageParser(raw).event).toBe(INVALID_FRAME_EVENT);
    }
  });
});
