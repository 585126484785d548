import { ErrorDefinition } from '../../src/signaling/protocol/error-definition.enum';
import { FrameValidator, STREAM_ID_PATTERN } from '../../src/signaling/protocol/frame-validator';
import type { InboundFrame } from '../../src/signaling/protocol/inbound-frames';
import { ProtocolError } from '../../src/signaling/protocol/protocol-error';

/** The ProtocolError thrown by `fn`, or a failure when it does not throw one. */
function protocolError(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}

const frame = (fields: Record<string, unknown>): InboundFrame => ({ command: 'x', ...fields });

const LIMITS = { maxStreamIdLength: 128, maxSdpLength: 131_072, maxCandidateLength: 4096 };
const makeValidator = (limits: Partial<typeof LIMITS> = {}): FrameValidator => new FrameValidator({ ...LIMITS, ...limits });

describe('FrameValidator', () => {
  const validator = makeValidator();

  describe('streamId', () => {
    it('STREAM_ID_PATTERN is Ant Media’s', () => {
      expect(STREAM_ID_PATTERN.source).toBe('^[A-Za-z0-9_.-]+$');
    });

    it.each([undefined, null, '', 0, 42, true, {}, ['a'], { toString: () => 'a' }])(
      'missing, empty or non-string streamId (%p) → noStreamNameSpecified without a streamId',
      (streamId) => {
        const error = protocolError(() => validator.streamId(frame({ streamId })));
        expect(error.definition).toBe(ErrorDefinition.NoStreamNameSpecified);
        expect(error.streamId).toBeUndefined();
      },
    );

    it('no streamId key at all → noStreamNameSpecified', () => {
      const error = protocolError(() => validator.streamId({ command: 'join' }));
      expect(error.definition).toBe(ErrorDefinition.NoStreamNameSpecified);
    });

    it.each(['has space', 'slash/x', 'ünïcode', '<script>', 'a\nb', 'tab\t', 'emoji😀', 'semi;colon', ' lead', 'trail '])(
      'streamId outside the pattern (%p) → invalidStreamName with the streamId',
      (streamId) => {
        const error = protocolError(() => validator.streamId(frame({ streamId })));
        expect(error.definition).toBe(ErrorDefinition.InvalidStreamName);
        expect(error.streamId).toBe(streamId);
      },
    );

    it.each(['a', 'A-Z_a.z-0.9', 'stream1', '...', '-', '_', 'room.with.dots'])('accepts %p', (streamId) => {
      expect(validator.streamId(frame({ streamId }))).toBe(streamId);
    });

    it('enforces the maximum length (128 by default, configurable)', () => {
      expect(validator.streamId(frame({ streamId: 'a'.repeat(128) }))).toBe('a'.repeat(128));
      const tooLong = protocolError(() => validator.streamId(frame({ streamId: 'a'.repeat(129) })));
      expect(tooLong.definition).toBe(ErrorDefinition.InvalidStreamName);
      expect(tooLong.streamId).toBe('a'.repeat(129));

      const short = makeValidator({ maxStreamIdLength: 5 });
      expect(short.streamId(frame({ streamId: 'abcde' }))).toBe('abcde');
      expect(protocolError(() => short.streamId(frame({ streamId: 'abcdef' }))).definition).toBe(
        ErrorDefinition.InvalidStreamName,
      );
    });
  });

  describe('order of checks: noStreamNameSpecified → invalidStreamName → invalidMessage', () => {
    const badOtherFields: Array<[string, (f: InboundFrame) => unknown, Record<string, unknown>]> = [
      ['candidate', (f) => validator.candidate(f), { label: 'zero', candidate: 5, id: 7 }],
      ['configuration', (f) => validator.configuration(f), { type: 'pranswer', sdp: 1 }],
      ['peerMessage', (f) => validator.peerMessage(f), { definition: 3 }],
    ];

    it.each(badOtherFields)('%s: missing streamId wins over bad fields', (_name, validate, fields) => {
      const error = protocolError(() => validate(frame({ ...fields })));
      expect(error.definition).toBe(ErrorDefinition.NoStreamNameSpecified);
      expect(error.streamId).toBeUndefined();
    });

    it.each(badOtherFields)('%s: an invalid streamId wins over bad fields', (_name, validate, fields) => {
      const error = protocolError(() => validate(frame({ ...fields, streamId: 'bad id' })));
      expect(error.definition).toBe(ErrorDefinition.InvalidStreamName);
      expect(error.streamId).toBe('bad id');
    });

    it.each(badOtherFields)('%s: a valid streamId with bad fields → invalidMessage with the streamId', (_n, validate, fields) => {
      const error = protocolError(() => validate(frame({ ...fields, streamId: 'ok' })));
      expect(error.definition).toBe(ErrorDefinition.InvalidMessage);
      expect(error.streamId).toBe('ok');
      expect(typeof error.detail).toBe('string');
      expect(error.detail?.length).toBeGreaterThan(0);
    });

    it('join checks the streamId the same way', () => {
      expect(protocolError(() => validator.join(frame({})))).toMatchObject({
        definition: ErrorDefinition.NoStreamNameSpecified,
      });
      expect(protocolError(() => validator.join(frame({ streamId: 'a b' })))).toMatchObject({
        definition: ErrorDefinition.InvalidStreamName,
        streamId: 'a b',
      });
    });
  });

  describe('join', () => {
    it('defaults mode to both and ignores fields it does not use', () => {
      expect(
        validator.join(frame({ streamId: 's', multiPeer: true, video: true, audio: false, subscriberId: 'x' })),
      ).toEqual({ streamId: 's', mode: 'both', token: undefined });
    });

    it('keeps the mode and token the client sent', () => {
      expect(validator.join(frame({ streamId: 's', mode: 'play', token: 'tok' }))).toEqual({
        streamId: 's',
        mode: 'play',
        token: 'tok',
      });
    });

    it('treats an empty or non-string mode as both, a non-string token as none, and bounds the mode', () => {
      expect(validator.join(frame({ streamId: 's', mode: '', token: 5 }))).toEqual({
        streamId: 's',
        mode: 'both',
        token: undefined,
      });
      expect(validator.join(frame({ streamId: 's', mode: 7 })).mode).toBe('both');
      const long = validator.join(frame({ streamId: 's', mode: 'm'.repeat(1000) })).mode;
      expect(long.length).toBeLessThanOrEqual(32);
      expect(long).toBe('m'.repeat(long.length));
    });
  });

  describe('configuration (takeConfiguration)', () => {
    it.each(['offer', 'answer'])('accepts type %p', (type) => {
      expect(validator.configuration(frame({ streamId: 's', type, sdp: 'v=0' }))).toEqual({
        streamId: 's',
        type,
        sdp: 'v=0',
      });
    });

    it('accepts an empty sdp string', () => {
      expect(validator.configuration(frame({ streamId: 's', type: 'offer', sdp: '' })).sdp).toBe('');
    });

    it('bounds the sdp length (invalidMessage with the streamId beyond it)', () => {
      const small = makeValidator({ maxSdpLength: 10 });
      expect(small.configuration(frame({ streamId: 's', type: 'offer', sdp: 'x'.repeat(10) })).sdp).toHaveLength(10);
      const error = protocolError(() => small.configuration(frame({ streamId: 's', type: 'offer', sdp: 'x'.repeat(11) })));
      expect(error).toMatchObject({ definition: ErrorDefinition.InvalidMessage, streamId: 's' });
    });

    it.each([
      { type: 'pranswer', sdp: 'x' },
      { type: 'rollback', sdp: 'x' },
      { type: 'OFFER', sdp: 'x' },
      { sdp: 'x' },
      { type: 'offer' },
      { type: 'offer', sdp: null },
      { type: 'offer', sdp: { v: 0 } },
      { type: 'offer', sdp: 42 },
    ])('rejects %p with invalidMessage', (fields) => {
      const error = protocolError(() => validator.configuration(frame({ streamId: 's', ...fields })));
      expect(error.definition).toBe(ErrorDefinition.InvalidMessage);
      expect(error.streamId).toBe('s');
    });
  });

  describe('candidate (takeCandidate)', () => {
    it('keeps label, id and candidate', () => {
      expect(validator.candidate(frame({ streamId: 's', label: 1, id: 'video', candidate: 'candidate:1' }))).toEqual({
        streamId: 's',
        label: 1,
        id: 'video',
        candidate: 'candidate:1',
      });
    });

    it('defaults id to String(label) when it is missing or null', () => {
      expect(validator.candidate(frame({ streamId: 's', label: 2, candidate: '' }))).toEqual({
        streamId: 's',
        label: 2,
        id: '2',
        candidate: '',
      });
      expect(validator.candidate(frame({ streamId: 's', label: 0, id: null, candidate: 'c' })).id).toBe('0');
    });

    it('keeps an empty id string as sent', () => {
      expect(validator.candidate(frame({ streamId: 's', label: 0, id: '', candidate: 'c' })).id).toBe('');
    });

    it('accepts an empty candidate string (end of candidates)', () => {
      expect(validator.candidate(frame({ streamId: 's', label: 0, id: '0', candidate: '' })).candidate).toBe('');
    });

    it('bounds the candidate length (invalidMessage with the streamId beyond it)', () => {
      const small = makeValidator({ maxCandidateLength: 10 });
      expect(small.candidate(frame({ streamId: 's', label: 0, candidate: 'c'.repeat(10) })).candidate).toHaveLength(10);
      const error = protocolError(() => small.candidate(frame({ streamId: 's', label: 0, candidate: 'c'.repeat(11) })));
      expect(error).toMatchObject({ definition: ErrorDefinition.InvalidMessage, streamId: 's' });
    });

    it.each([
      { label: '0', id: '0', candidate: 'x' },
      { id: '0', candidate: 'x' },
      { label: null, id: '0', candidate: 'x' },
      { label: -1, id: '0', candidate: 'x' },
      { label: 1.5, id: '0', candidate: 'x' },
      { label: 0, id: '0' },
      { label: 0, id: '0', candidate: 5 },
      { label: 0, id: '0', candidate: null },
      { label: 0, id: 7, candidate: 'x' },
      { label: 0, id: {}, candidate: 'x' },
    ])('rejects %p with invalidMessage', (fields) => {
      const error = protocolError(() => validator.candidate(frame({ streamId: 's', ...fields })));
      expect(error.definition).toBe(ErrorDefinition.InvalidMessage);
      expect(error.streamId).toBe('s');
    });
  });

  describe('peerMessage (peerMessageCommand)', () => {
    it('passes definition and data through', () => {
      const data = { a: [1, 2], b: 'c' };
      expect(validator.peerMessage(frame({ streamId: 's', definition: 'chat', data }))).toEqual({
        streamId: 's',
        definition: 'chat',
        data,
      });
    });

    it('allows a missing definition and any data', () => {
      expect(validator.peerMessage(frame({ streamId: 's' }))).toEqual({
        streamId: 's',
        definition: undefined,
        data: undefined,
      });
      expect(validator.peerMessage(frame({ streamId: 's', data: 'text' })).data).toBe('text');
    });

    it('accepts data nested 100 levels deep and rejects 101 with invalidMessage (no recursion on the way)', () => {
      const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));
      const objects = (depth: number): unknown => JSON.parse('{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1));
      expect(validator.peerMessage(frame({ streamId: 's', data: nested(100) })).data).toEqual(nested(100));
      expect(validator.peerMessage(frame({ streamId: 's', data: objects(100) })).data).toEqual(objects(100));
      expect(validator.peerMessage(frame({ streamId: 's', data: { wide: Array(10_000).fill([1]) } })).data).toBeDefined();
      for (const data of [nested(101), objects(101), [1, { x: [nested(100)] }], nested(200_000)]) {
        const error = protocolError(() => validator.peerMessage(frame({ streamId: 's', data })));
        expect(error).toMatchObject({ definition: ErrorDefinition.InvalidMessage, streamId: 's' });
        expect(error.detail).toBe('data must not be nested more than 100 levels deep');
      }
    });

    it.each([3, {}, true, null])('rejects a non-string definition %p with invalidMessage', (definition) => {
      const error = protocolError(() => validator.peerMessage(frame({ streamId: 's', definition })));
      expect(error.definition).toBe(ErrorDefinition.InvalidMessage);
      expect(error.streamId).toBe('s');
    });
  });
});
