import { createHmac } from 'node:crypto';
import { RoomRegistry } from '../../src/signaling/rooms/room-registry';
import { startTestApp, TestApp } from '../support/test-app';
import { WsTestClient } from '../support/ws-test-client';

const joined = (streamId: string) => ({ command: 'notification', definition: 'joined', streamId });
const leaved = (streamId: string) => ({ command: 'notification', definition: 'leaved', streamId });
const error = (definition: string, streamId?: string) =>
  streamId === undefined ? { command: 'error', definition } : { command: 'error', definition, streamId };

/** Two clients in one room, start/joined consumed: `a` waited (offerer), `b` joined second. */
async function pair(t: TestApp, streamId: string): Promise<[WsTestClient, WsTestClient]> {
  const a = await t.connect();
  const b = await t.connect();
  a.send({ command: 'join', streamId, mode: 'both', multiPeer: false });
  expect(await a.next()).toEqual(joined(streamId));
  b.send({ command: 'join', streamId, mode: 'both', multiPeer: false });
  expect(await a.next()).toEqual({ command: 'start', streamId });
  expect(await b.next()).toEqual(joined(streamId));
  return [a, b];
}

describe('Ant Media P2P protocol (ws clients against the app)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('join', () => {
    it('first join gets joined and nothing else', async () => {
      const a = await t.connect();
      a.send({ command: 'join', streamId: 'first-join' });
      expect(await a.next()).toEqual(joined('first-join'));
      await a.expectSilence();
    });

    it('second join sends start to the waiting peer only and joined to the joiner', async () => {
      const [a, b] = await pair(t, 'second-join');
      await a.expectSilence();
      await b.expectSilence();
    });

    it('third join gets NoSpaceForNewPeer and nothing else changes', async () => {
      const [a, b] = await pair(t, 'third-join');
      const c = await t.connect();
      c.send({ command: 'join', streamId: 'third-join' });
      expect(await c.next()).toEqual(error('NoSpaceForNewPeer', 'third-join'));
      await a.expectSilence();
      await b.expectSilence();
      const room = await t.app.get(RoomRegistry).getRoom('third-join');
      expect(room?.members).toHaveLength(2);
      // the call still works
      a.send({ command: 'takeConfiguration', streamId: 'third-join', type: 'offer', sdp: 'v=0\r\n' });
      expect((await b.next()).type).toBe('offer');
      // and the third peer is not a member
      c.send({ command: 'takeCandidate', streamId: 'third-join', label: 0, id: '0', candidate: 'x' });
      expect(await c.next()).toEqual(error('no_peer_associated_before', 'third-join'));
    });

    it('the same socket joining twice is not counted twice', async () => {
      const a = await t.connect();
      a.send({ command: 'join', streamId: 'double-join' });
      a.send({ command: 'join', streamId: 'double-join' });
      expect(await a.take(2)).toEqual([joined('double-join'), joined('double-join')]);
      await a.expectSilence();
      const b = await t.connect();
      b.send({ command: 'join', streamId: 'double-join' });
      expect(await a.next()).toEqual({ command: 'start', streamId: 'double-join' });
      expect(await b.next()).toEqual(joined('double-join'));
    });

    it('one socket may be in two rooms', async () => {
      const a = await t.connect();
      a.send({ command: 'join', streamId: 'multi-1' });
      a.send({ command: 'join', streamId: 'multi-2' });
      expect(await a.take(2)).toEqual([joined('multi-1'), joined('multi-2')]);
      const b = await t.connect();
      b.send({ command: 'join', streamId: 'multi-2' });
      expect(await a.next()).toEqual({ command: 'start', streamId: 'multi-2' });
      expect(await b.next()).toEqual(joined('multi-2'));
    });

    it('join with multiPeer:true is a plain join', async () => {
      const a = await t.connect();
      const b = await t.connect();
      a.send({ command: 'join', streamId: 'multi-peer', multiPeer: true });
      expect(await a.next()).toEqual(joined('multi-peer'));
      b.send({ command: 'join', streamId: 'multi-peer', multiPeer: true, mode: 'play' });
      expect(await a.next()).toEqual({ command: 'start', streamId: 'multi-peer' });
      expect(await b.next()).toEqual(joined('multi-peer'));
    });
  });

  describe('relay', () => {
    it('relays offer, answer and candidates both ways with exact shapes', async () => {
      const [a, b] = await pair(t, 'relay-shapes');
      const offer = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n';
      a.send({ command: 'takeConfiguration', streamId: 'relay-shapes', type: 'offer', sdp: offer });
      expect(await b.next()).toEqual({
        command: 'takeConfiguration',
        streamId: 'relay-shapes',
        type: 'offer',
        sdp: offer,
        idMapping: {},
      });
      b.send({ command: 'takeConfiguration', streamId: 'relay-shapes', type: 'answer', sdp: 'v=0 answer', extra: 1 });
      expect(await a.next()).toEqual({
        command: 'takeConfiguration',
        streamId: 'relay-shapes',
        type: 'answer',
        sdp: 'v=0 answer',
        idMapping: {},
      });
      const candidate = 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host';
      a.send({ command: 'takeCandidate', streamId: 'relay-shapes', label: 1, id: '1', candidate });
      expect(await b.next()).toEqual({ command: 'takeCandidate', streamId: 'relay-shapes', label: 1, id: '1', candidate });
      b.send({ command: 'takeCandidate', streamId: 'relay-shapes', label: 0, id: 'audio', candidate });
      expect(await a.next()).toEqual({ command: 'takeCandidate', streamId: 'relay-shapes', label: 0, id: 'audio', candidate });
      // empty candidate (end of candidates) is relayed; missing id becomes String(label)
      a.send({ command: 'takeCandidate', streamId: 'relay-shapes', label: 2, candidate: '' });
      const relayed = await b.next();
      expect(relayed).toEqual({ command: 'takeCandidate', streamId: 'relay-shapes', label: 2, id: '2', candidate: '' });
      expect(typeof relayed.label).toBe('number');
      await a.expectSilence();
      await b.expectSilence();
    });

    it('200 candidates sent back-to-back arrive in order', async () => {
      const [a, b] = await pair(t, 'relay-order');
      for (let i = 0; i < 200; i++) {
        a.send({ command: 'takeCandidate', streamId: 'relay-order', label: 0, id: '0', candidate: `candidate:${i}` });
      }
      const frames = await b.take(200);
      expect(frames.map((f) => f.candidate)).toEqual(Array.from({ length: 200 }, (_, i) => `candidate:${i}`));
    });

    it('candidates sent before the offer keep their place', async () => {
      const [a, b] = await pair(t, 'relay-early');
      a.send({ command: 'takeCandidate', streamId: 'relay-early', label: 0, id: '0', candidate: 'early' });
      a.send({ command: 'takeConfiguration', streamId: 'relay-early', type: 'offer', sdp: 'offer' });
      a.send({ command: 'takeCandidate', streamId: 'relay-early', label: 0, id: '0', candidate: 'late' });
      const frames = await b.take(3);
      expect(frames.map((f) => f.candidate ?? f.type)).toEqual(['early', 'offer', 'late']);
    });

    it('relays peerMessageCommand', async () => {
      const [a, b] = await pair(t, 'peer-message');
      a.send({ command: 'peerMessageCommand', streamId: 'peer-message', definition: 'chat', data: { text: 'hi', n: [1, 2] } });
      expect(await b.next()).toEqual({
        command: 'peerMessageCommand',
        streamId: 'peer-message',
        definition: 'chat',
        data: { text: 'hi', n: [1, 2] },
      });
    });

    it('relay when alone or not a member gets no_peer_associated_before', async () => {
      const a = await t.connect();
      a.send({ command: 'join', streamId: 'alone' });
      await a.next();
      a.send({ command: 'takeConfiguration', streamId: 'alone', type: 'offer', sdp: 'x' });
      expect(await a.next()).toEqual(error('no_peer_associated_before', 'alone'));
      a.send({ command: 'takeCandidate', streamId: 'alone', label: 0, id: '0', candidate: 'x' });
      expect(await a.next()).toEqual(error('no_peer_associated_before', 'alone'));
      a.send({ command: 'peerMessageCommand', streamId: 'alone', definition: 'x', data: 1 });
      expect(await a.next()).toEqual(error('no_peer_associated_before', 'alone'));
      const stranger = await t.connect();
      stranger.send({ command: 'takeConfiguration', streamId: 'nobody-here', type: 'offer', sdp: 'x' });
      expect(await stranger.next()).toEqual(error('no_peer_associated_before', 'nobody-here'));
    });
  });

  describe('leave and exits', () => {
    it('leave sends stop to the other peer and leaved to the leaver', async () => {
      const [a, b] = await pair(t, 'leave-room');
      b.send({ command: 'leave', streamId: 'leave-room' });
      expect(await a.next()).toEqual({ command: 'stop', streamId: 'leave-room' });
      expect(await b.next()).toEqual(leaved('leave-room'));
      await b.expectSilence();
    });

    it('a member alone may leave; then the room is deleted', async () => {
      const a = await t.connect();
      a.send({ command: 'join', streamId: 'leave-alone' });
      await a.next();
      a.send({ command: 'leave', streamId: 'leave-alone' });
      expect(await a.next()).toEqual(leaved('leave-alone'));
      expect(await t.app.get(RoomRegistry).getRoom('leave-alone')).toBeUndefined();
    });

    it('leave from a non-member gets no_peer_associated_before', async () => {
      const a = await t.connect();
      a.send({ command: 'leave', streamId: 'never-joined' });
      expect(await a.next()).toEqual(error('no_peer_associated_before', 'never-joined'));
    });

    it('join then leave in one burst take effect in order', async () => {
      const a = await t.connect();
      a.send({ command: 'join', streamId: 'burst' });
      a.send({ command: 'leave', streamId: 'burst' });
      a.send({ command: 'join', streamId: 'burst' });
      expect(await a.take(3)).toEqual([joined('burst'), leaved('burst'), joined('burst')]);
    });

    it('replies, errors included, keep the order of the frames that caused them', async () => {
      const a = await t.connect();
      a.send({ command: 'join', streamId: 'ordered' });
      a.send('{bad json');
      a.send({ command: 'takeCandidate', streamId: 'ordered', label: 0, id: '0', candidate: 'x' });
      a.send({ command: 'join', streamId: 'bad name' });
      a.send({ command: 'ping' });
      a.send({ command: 'leave', streamId: 'ordered' });
      a.send({ command: 'leave', streamId: 'ordered' });
      const frames = await a.take(7);
      expect(frames.map((f) => f.definition ?? f.command)).toEqual([
        'joined',
        'invalidMessage',
        'no_peer_associated_before',
        'invalidStreamName',
        'pong',
        'leaved',
        'no_peer_associated_before',
      ]);
    });

    it('an abrupt close sends stop to the remaining peer', async () => {
      const [a, b] = await pair(t, 'abrupt');
      b.terminate();
      expect(await a.next()).toEqual({ command: 'stop', streamId: 'abrupt' });
    });

    it('a close without leave sends stop in every room of the socket', async () => {
      const a = await t.connect();
      const b = await t.connect();
      const c = await t.connect();
      a.send({ command: 'join', streamId: 'close-1' });
      a.send({ command: 'join', streamId: 'close-2' });
      await a.take(2);
      b.send({ command: 'join', streamId: 'close-1' });
      c.send({ command: 'join', streamId: 'close-2' });
      await b.next();
      await c.next();
      a.close();
      expect(await b.next()).toEqual({ command: 'stop', streamId: 'close-1' });
      expect(await c.next()).toEqual({ command: 'stop', streamId: 'close-2' });
    });

    it('after a leave a new peer joining gets a fresh start (no stale membership)', async () => {
      const [a, b] = await pair(t, 'fresh-start');
      b.send({ command: 'leave', streamId: 'fresh-start' });
      expect(await a.next()).toEqual({ command: 'stop', streamId: 'fresh-start' });
      await b.next();
      const c = await t.connect();
      c.send({ command: 'join', streamId: 'fresh-start' });
      expect(await a.next()).toEqual({ command: 'start', streamId: 'fresh-start' });
      expect(await c.next()).toEqual(joined('fresh-start'));
      // the old peer can rejoin once the room has space again after an abrupt close too
      c.terminate();
      expect(await a.next()).toEqual({ command: 'stop', streamId: 'fresh-start' });
      b.send({ command: 'join', streamId: 'fresh-start' });
      expect(await a.next()).toEqual({ command: 'start', streamId: 'fresh-start' });
      expect(await b.next()).toEqual(joined('fresh-start'));
    });
  });

  describe('bad input', () => {
    it('missing or empty streamId gets noStreamNameSpecified without a streamId key', async () => {
      const a = await t.connect();
      for (const frame of [
        { command: 'join' },
        { command: 'join', streamId: '' },
        { command: 'join', streamId: 42 },
        { command: 'leave' },
        { command: 'takeConfiguration', type: 'offer', sdp: 'x' },
        { command: 'takeCandidate', label: 0, candidate: '' },
        { command: 'peerMessageCommand', data: 1 },
      ]) {
        a.send(frame);
        const reply = await a.next();
        expect(reply).toEqual(error('noStreamNameSpecified'));
        expect('streamId' in reply).toBe(false);
      }
    });

    it('streamId outside the pattern or too long gets invalidStreamName', async () => {
      const a = await t.connect();
      for (const streamId of ['has space', 'slash/x', 'ünïcode', 'a'.repeat(129), '<script>']) {
        a.send({ command: 'join', streamId });
        expect(await a.next()).toEqual(error('invalidStreamName', streamId));
      }
      a.send({ command: 'join', streamId: 'a'.repeat(128) });
      expect(await a.next()).toEqual(joined('a'.repeat(128)));
    });

    it('fields of the wrong type get invalidMessage with the streamId', async () => {
      const [a] = await pair(t, 'bad-fields');
      for (const frame of [
        { command: 'takeCandidate', streamId: 'bad-fields', label: '0', id: '0', candidate: 'x' },
        { command: 'takeCandidate', streamId: 'bad-fields', id: '0', candidate: 'x' },
        { command: 'takeCandidate', streamId: 'bad-fields', label: 0, id: '0', candidate: 5 },
        { command: 'takeCandidate', streamId: 'bad-fields', label: 0, id: 7, candidate: 'x' },
        { command: 'takeConfiguration', streamId: 'bad-fields', type: 'pranswer', sdp: 'x' },
        { command: 'takeConfiguration', streamId: 'bad-fields', type: 'offer', sdp: { v: 0 } },
        { command: 'peerMessageCommand', streamId: 'bad-fields', definition: 3, data: 1 },
      ]) {
        a.send(frame);
        const reply = await a.next();
        expect(reply).toMatchObject(error('invalidMessage', 'bad-fields'));
        expect(typeof reply.message).toBe('string');
      }
    });

    it('peerMessageCommand data nested deeper than 100 levels gets invalidMessage; 100 levels are relayed', async () => {
      // Found by the fuzz suite: 5,000 levels fit in a 10 KB frame, parse, and overflowed the stack when
      // the relayed frame was serialised, so the sender got no reply and the server logged an error.
      const [a, b] = await pair(t, 'deep-data');
      const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
      for (const depth of [101, 5000, 100_000]) {
        a.send(`{"command":"peerMessageCommand","streamId":"deep-data","definition":"d","data":${nested(depth)}}`);
        expect(await a.next()).toEqual({
          ...error('invalidMessage', 'deep-data'),
          message: 'data must not be nested more than 100 levels deep',
        });
      }
      a.send(`{"command":"peerMessageCommand","streamId":"deep-data","data":${nested(100)}}`);
      expect(await b.next()).toEqual({ command: 'peerMessageCommand', streamId: 'deep-data', data: JSON.parse(nested(100)) });
      await a.expectSilence();
      await b.expectSilence();
    });

    it('invalid JSON and non-object JSON get invalidMessage, and the socket keeps working', async () => {
      const a = await t.connect();
      for (const raw of ['not json', '{"command":', '[]', '"join"', '42', 'null', '{"command":7}', '{}']) {
        a.send(raw);
        const reply = await a.next();
        expect(reply).toMatchObject(error('invalidMessage'));
        expect('streamId' in reply).toBe(false);
      }
      a.send({ command: 'ping' });
      expect(await a.next()).toEqual({ command: 'pong' });
    });

    it('unknown well-formed commands are ignored without a reply', async () => {
      const a = await t.connect();
      a.send({ command: 'publish', streamId: 'x' });
      a.send({ command: 'getStreamInfo' });
      a.send({ command: '__proto__', streamId: 'x' });
      await a.expectSilence();
    });

    it('__proto__ and constructor keys do nothing special', async () => {
      const [a, b] = await pair(t, 'proto-keys');
      a.send('{"command":"peerMessageCommand","streamId":"proto-keys","definition":"d","data":{"__proto__":{"x":1}}}');
      const relayed = await b.next();
      expect(relayed.command).toBe('peerMessageCommand');
      expect(({} as Record<string, unknown>).x).toBeUndefined();
      a.send({ command: 'join', streamId: 'constructor' });
      expect(await a.next()).toEqual(joined('constructor'));
    });
  });

  describe('ping and ICE servers', () => {
    it('ping without streamId gets pong', async () => {
      const a = await t.connect();
      a.send({ command: 'ping' });
      expect(await a.next()).toEqual({ command: 'pong' });
    });

    it('getIceServerConfig with nothing configured gets no reply', async () => {
      const a = await t.connect();
      a.send({ command: 'getIceServerConfig' });
      await a.expectSilence();
    });

    it('accepts a query string on the ws URL (?target=origin)', async () => {
      const a = await t.connect('?target=origin&token=abc');
      a.send({ command: 'ping' });
      expect(await a.next()).toEqual({ command: 'pong' });
    });

    it('accepts an SDP-sized frame of 80 KiB', async () => {
      const [a, b] = await pair(t, 'big-sdp');
      const sdp = 'a=x\r\n'.repeat(16 * 1024);
      a.send({ command: 'takeConfiguration', streamId: 'big-sdp', type: 'offer', sdp });
      expect((await b.next()).sdp).toBe(sdp);
    });
  });
});

describe('getIceServerConfig with configuration', () => {
  it('returns a STUN server', async () => {
    const t = await startTestApp({ stunServerUri: 'stun:stun.example.org:3478' });
    try {
      const a = await t.connect();
      a.send({ command: 'getIceServerConfig' });
      expect(await a.next()).toEqual({ command: 'iceServerConfig', stunServerUri: 'stun:stun.example.org:3478' });
    } finally {
      await t.close();
    }
  });

  it('returns a TURN server with static credentials', async () => {
    const t = await startTestApp({
      stunServerUri: 'stun:stun.example.org:3478',
      turn: { uri: 'turn:turn.example.org:3478', username: 'alice', credential: 's3cret' },
    });
    try {
      const a = await t.connect();
      a.send({ command: 'getIceServerConfig' });
      expect(await a.next()).toEqual({
        command: 'iceServerConfig',
        stunServerUri: 'turn:turn.example.org:3478',
        turnServerUsername: 'alice',
        turnServerCredential: 's3cret',
      });
    } finally {
      await t.close();
    }
  });

  it('returns time-limited TURN credentials from a shared secret', async () => {
    const t = await startTestApp({ turn: { uri: 'turn:turn.example.org:3478', secret: 'shared-secret', ttlSeconds: 600 } });
    try {
      const a = await t.connect();
      const before = Math.floor(Date.now() / 1000);
      a.send({ command: 'getIceServerConfig' });
      const reply = await a.next();
      const after = Math.floor(Date.now() / 1000);
      expect(reply.command).toBe('iceServerConfig');
      expect(reply.stunServerUri).toBe('turn:turn.example.org:3478');
      const username = reply.turnServerUsername as string;
      const [expiry, user] = username.split(':');
      expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600);
      expect(Number(expiry)).toBeLessThanOrEqual(after + 600);
      expect(user.length).toBeGreaterThan(0);
      expect(reply.turnServerCredential).toBe(createHmac('sha1', 'shared-secret').update(username).digest('base64'));
    } finally {
      await t.close();
    }
  });
});
