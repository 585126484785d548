import { ErrorDefinition } from '../../src/signaling/protocol/error-definition.enum';
import {
  PONG_FRAME,
  errorFrame,
  iceServerConfigFrame,
  joinedFrame,
  leavedFrame,
  peerMessageFrame,
  startFrame,
  stopFrame,
  takeCandidateFrame,
  takeConfigurationFrame,
} from '../../src/signaling/protocol/outbound-messages';

/** Parses a built frame, checking it is one JSON object. */
function parse(frame: string): Record<string, unknown> {
  expect(typeof frame).toBe('string');
  const value: unknown = JSON.parse(frame);
  expect(value !== null && typeof value === 'object' && !Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>;
}

const keys = (frame: string): string[] => Object.keys(parse(frame)).sort();

describe('outbound message builders (the contract’s exact frames)', () => {
  it('pong', () => {
    expect(parse(PONG_FRAME)).toEqual({ command: 'pong' });
    expect(keys(PONG_FRAME)).toEqual(['command']);
  });

  it('start', () => {
    expect(parse(startFrame('s1'))).toEqual({ command: 'start', streamId: 's1' });
    expect(keys(startFrame('s1'))).toEqual(['command', 'streamId']);
  });

  it('stop', () => {
    expect(parse(stopFrame('s1'))).toEqual({ command: 'stop', streamId: 's1' });
    expect(keys(stopFrame('s1'))).toEqual(['command', 'streamId']);
  });

  it('notification joined', () => {
    expect(parse(joinedFrame('s1'))).toEqual({ command: 'notification', definition: 'joined', streamId: 's1' });
    expect(keys(joinedFrame('s1'))).toEqual(['command', 'definition', 'streamId']);
  });

  it('notification leaved without a reason has no reason key', () => {
    const frame = leavedFrame('s1');
    expect(parse(frame)).toEqual({ command: 'notification', definition: 'leaved', streamId: 's1' });
    expect(keys(frame)).toEqual(['command', 'definition', 'streamId']);
  });

  it('notification leaved with a reason', () => {
    const frame = leavedFrame('s1', 'kicked');
    expect(parse(frame)).toEqual({ command: 'notification', definition: 'leaved', streamId: 's1', reason: 'kicked' });
    expect(keys(frame)).toEqual(['command', 'definition', 'reason', 'streamId']);
  });

  describe('error', () => {
    it('without a streamId has no streamId key (and no message key)', () => {
      const frame = errorFrame(ErrorDefinition.NoStreamNameSpecified);
      expect(parse(frame)).toEqual({ command: 'error', definition: 'noStreamNameSpecified' });
      expect(keys(frame)).toEqual(['command', 'definition']);
    });

    it('with a streamId', () => {
      const frame = errorFrame(ErrorDefinition.NoSpaceForNewPeer, 's1');
      expect(parse(frame)).toEqual({ command: 'error', definition: 'NoSpaceForNewPeer', streamId: 's1' });
      expect(keys(frame)).toEqual(['command', 'definition', 'streamId']);
    });

    it('with a message and no streamId', () => {
      const frame = errorFrame(ErrorDefinition.InvalidMessage, undefined, 'frame is not valid JSON');
      expect(parse(frame)).toEqual({ command: 'error', definition: 'invalidMessage', message: 'frame is not valid JSON' });
      expect(keys(frame)).toEqual(['command', 'definition', 'message']);
    });

    it('with a streamId and a message', () => {
      const frame = errorFrame(ErrorDefinition.InvalidMessage, 's1', 'sdp must be a string');
      expect(parse(frame)).toEqual({
        command: 'error',
        definition: 'invalidMessage',
        streamId: 's1',
        message: 'sdp must be a string',
      });
    });

    it('uses Ant Media’s spellings for its definitions', () => {
      expect(ErrorDefinition).toMatchObject({
        NoStreamNameSpecified: 'noStreamNameSpecified',
        InvalidStreamName: 'invalidStreamName',
        NoSpaceForNewPeer: 'NoSpaceForNewPeer',
        NoPeerAssociatedBefore: 'no_peer_associated_before',
        UnauthorizedAccess: 'unauthorized_access',
        InvalidMessage: 'invalidMessage',
      });
      for (const definition of Object.values(ErrorDefinition)) {
        expect(parse(errorFrame(definition, 'x')).definition).toBe(definition);
      }
    });
  });

  it('takeConfiguration carries idMapping {} and the sdp unchanged', () => {
    const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na="quoted" \\ back\u2028slash ü\r\n';
    for (const type of ['offer', 'answer'] as const) {
      const frame = takeConfigurationFrame('s1', type, sdp);
      const parsed = parse(frame);
      expect(parsed).toEqual({ command: 'takeConfiguration', streamId: 's1', type, sdp, idMapping: {} });
      expect(keys(frame)).toEqual(['command', 'idMapping', 'sdp', 'streamId', 'type']);
      expect(parsed.idMapping).toEqual({});
      expect(Object.keys(parsed.idMapping as object)).toHaveLength(0);
    }
  });

  it('takeCandidate has a numeric label and a string id', () => {
    const candidate = 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host';
    const frame = takeCandidateFrame('s1', 0, '0', candidate);
    const parsed = parse(frame);
    expect(parsed).toEqual({ command: 'takeCandidate', streamId: 's1', label: 0, id: '0', candidate });
    expect(keys(frame)).toEqual(['candidate', 'command', 'id', 'label', 'streamId']);
    expect(typeof parsed.label).toBe('number');
    expect(typeof parsed.id).toBe('string');
    expect(typeof parsed.candidate).toBe('string');
    // the raw text has a JSON number, not a quoted one
    expect(frame).toContain('"label":0');
    expect(frame).toContain('"id":"0"');
  });

  it('takeCandidate relays an empty candidate string', () => {
    const parsed = parse(takeCandidateFrame('s1', 2, 'video', ''));
    expect(parsed).toEqual({ command: 'takeCandidate', streamId: 's1', label: 2, id: 'video', candidate: '' });
  });

  it('peerMessageCommand with a definition and structured data', () => {
    const data = { text: 'hi', list: [1, 'two', null], nested: { ok: true } };
    expect(parse(peerMessageFrame('s1', 'chat', data))).toEqual({
      command: 'peerMessageCommand',
      streamId: 's1',
      definition: 'chat',
      data,
    });
  });

  it('peerMessageCommand without a definition has no definition key', () => {
    const frame = peerMessageFrame('s1', undefined, 'text');
    expect(parse(frame)).toEqual({ command: 'peerMessageCommand', streamId: 's1', data: 'text' });
    expect(keys(frame)).toEqual(['command', 'data', 'streamId']);
  });

  it('iceServerConfig with a STUN URI only', () => {
    const frame = iceServerConfigFrame({ stunServerUri: 'stun:stun.example.org:3478' });
    expect(parse(frame)).toEqual({ command: 'iceServerConfig', stunServerUri: 'stun:stun.example.org:3478' });
    expect(keys(frame)).toEqual(['command', 'stunServerUri']);
  });

  it('iceServerConfig with TURN credentials', () => {
    const frame = iceServerConfigFrame({
      stunServerUri: 'turn:turn.example.org:3478',
      turnServerUsername: 'alice',
      turnServerCredential: 's3cret',
    });
    expect(parse(frame)).toEqual({
      command: 'iceServerConfig',
      stunServerUri: 'turn:turn.example.org:3478',
      turnServerUsername: 'alice',
      turnServerCredential: 's3cret',
    });
    expect(keys(frame)).toEqual(['command', 'stunServerUri', 'turnServerCredential', 'turnServerUsername']);
  });

  it('streamIds are JSON-escaped, never spliced into the text', () => {
    // not a valid streamId, but the builders must still produce valid JSON
    const odd = 'a"b\\c';
    expect(parse(startFrame(odd)).streamId).toBe(odd);
    expect(parse(errorFrame(ErrorDefinition.InvalidStreamName, odd)).streamId).toBe(odd);
  });
});
