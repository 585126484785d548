import WebSocket from 'ws';
import { RoomRegistry } from '../../src/signaling/rooms/room-registry';
import { startTestApp } from '../support/test-app';
import { WsTestClient } from '../support/ws-test-client';

/** The HTTP status of a refused upgrade, or 101 when it opened. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

describe('limits', () => {
  it('a frame over maxFrameBytes closes the socket with 1009; the other peer gets stop', async () => {
    const t = await startTestApp({ maxFrameBytes: 100 * 1024 });
    try {
      const a = await t.connect();
      const b = await t.connect();
      a.send({ command: 'join', streamId: 'big' });
      await a.next();
      b.send({ command: 'join', streamId: 'big' });
      await a.next();
      await b.next();
      b.send({ command: 'takeConfiguration', streamId: 'big', type: 'offer', sdp: 'x'.repeat(101 * 1024) });
      expect(await b.closed()).toBe(1009);
      expect(await a.next()).toEqual({ command: 'stop', streamId: 'big' });
    } finally {
      await t.close();
    }
  });

  it('SDP and candidate sizes are limited with invalidMessage', async () => {
    const t = await startTestApp({ limits: { maxSdpLength: 1000, maxCandidateLength: 100 } });
    try {
      const a = await t.connect();
      a.send({ command: 'takeConfiguration', streamId: 's', type: 'offer', sdp: 'x'.repeat(1001) });
      expect(await a.next()).toEqual({
        command: 'error',
        definition: 'invalidMessage',
        streamId: 's',
        message: 'sdp must be at most 1000 characters',
      });
      a.send({ command: 'takeCandidate', streamId: 's', label: 0, id: '0', candidate: 'c'.repeat(101) });
      expect(await a.next()).toMatchObject({ definition: 'invalidMessage', message: 'candidate must be at most 100 characters' });
    } finally {
      await t.close();
    }
  });

  it('rate limit: excess frames are dropped with one rateLimitExceeded error, sustained excess closes with 1008', async () => {
    const t = await startTestApp({ limits: { messagesPerSecond: 5, messageBurst: 10, maxDroppedMessages: 20 } });
    try {
      const a = await t.connect();
      for (let i = 0; i < 15; i++) a.send({ command: 'ping' });
      const frames = await a.take(11);
      expect(frames.filter((f) => f.command === 'pong')).toHaveLength(10);
      expect(frames.filter((f) => f.command === 'error')).toEqual([{ command: 'error', definition: 'rateLimitExceeded' }]);
      await a.expectSilence(100);
      // within the refill rate the connection works again
      await new Promise((r) => setTimeout(r, 450));
      a.send({ command: 'ping' });
      expect(await a.next()).toEqual({ command: 'pong' });
      // a flood that does not stop is closed
      for (let i = 0; i < 40; i++) a.send({ command: 'ping' });
      expect(await a.closed()).toBe(1008);
    } finally {
      await t.close();
    }
  });

  it('a flooding peer is closed and its partner gets stop; other rooms are unaffected', async () => {
    const t = await startTestApp({ limits: { messagesPerSecond: 5, messageBurst: 10, maxDroppedMessages: 5 } });
    try {
      const a = await t.connect();
      const b = await t.connect();
      a.send({ command: 'join', streamId: 'flood' });
      await a.next();
      b.send({ command: 'join', streamId: 'flood' });
      await a.next();
      await b.next();
      for (let i = 0; i < 30; i++) b.send({ command: 'takeCandidate', streamId: 'flood', label: 0, id: '0', candidate: `c${i}` });
      expect(await b.closed()).toBe(1008);
      const received = [];
      for (;;) {
        const frame = await a.next();
        if (frame.command === 'stop') break;
        received.push(frame.candidate);
      }
      // only what the bucket admitted was relayed, in order
      expect(received).toEqual(Array.from({ length: 9 }, (_, i) => `c${i}`));
    } finally {
      await t.close();
    }
  });

  it('caps connections overall and per remote address (429/503 at the upgrade)', async () => {
    const t = await startTestApp({ limits: { maxConnections: 3, maxConnectionsPerAddress: 2 } });
    try {
      await t.connect();
      await t.connect();
      expect(await upgradeStatus(t.wsUrl)).toBe(429);
      const t2 = await startTestApp({ limits: { maxConnections: 2 }, trustForwardedFor: true });
      try {
        await WsTestClient.connect(t2.wsUrl, { headers: { 'X-Forwarded-For': '203.0.113.1' } }).then((c) => c.socket.close);
        await t2.connect();
        expect(await upgradeStatus(t2.wsUrl, { 'X-Forwarded-For': '203.0.113.2' })).toBe(503);
      } finally {
        await t2.close();
      }
    } finally {
      await t.close();
    }
  });

  it('trusted X-Forwarded-For counts per forwarded address and is what history records', async () => {
    const t = await startTestApp({ limits: { maxConnectionsPerAddress: 1 }, trustForwardedFor: true });
    try {
      const a = await WsTestClient.connect(t.wsUrl, { headers: { 'X-Forwarded-For': '203.0.113.7, 10.0.0.1' } });
      const b = await WsTestClient.connect(t.wsUrl, { headers: { 'X-Forwarded-For': '203.0.113.8' } });
      expect(await upgradeStatus(t.wsUrl, { 'X-Forwarded-For': '203.0.113.7' })).toBe(429);
      a.send({ command: 'join', streamId: 'xff' });
      await a.next();
      const room = await t.app.get(RoomRegistry).getRoom('xff');
      expect(room?.members[0].remoteAddress).toBe('203.0.113.7');
      a.terminate();
      b.terminate();
    } finally {
      await t.close();
    }
  });

  it('without trustForwardedFor the header is ignored', async () => {
    const t = await startTestApp({ limits: { maxConnectionsPerAddress: 1 } });
    try {
      const a = await WsTestClient.connect(t.wsUrl, { headers: { 'X-Forwarded-For': '203.0.113.7' } });
      expect(await upgradeStatus(t.wsUrl, { 'X-Forwarded-For': '203.0.113.9' })).toBe(429);
      a.terminate();
    } finally {
      await t.close();
    }
  });

  it('refuses Origins not allowed (403); clients without Origin pass unless requireOrigin', async () => {
    const t = await startTestApp({ allowedOrigins: ['https://app.example.com'] });
    try {
      expect(await upgradeStatus(t.wsUrl, { Origin: 'https://evil.example.com' })).toBe(403);
      expect(await upgradeStatus(t.wsUrl, { Origin: 'https://app.example.com' })).toBe(101);
      expect(await upgradeStatus(t.wsUrl)).toBe(101);
    } finally {
      await t.close();
    }
    const strict = await startTestApp({ allowedOrigins: ['https://app.example.com'], requireOrigin: true });
    try {
      expect(await upgradeStatus(strict.wsUrl)).toBe(403);
      expect(await upgradeStatus(strict.wsUrl, { Origin: 'https://app.example.com' })).toBe(101);
    } finally {
      await strict.close();
    }
  });

  it('limits the rooms one connection may be in', async () => {
    const t = await startTestApp({ limits: { maxRoomsPerConnection: 2 } });
    try {
      const a = await t.connect();
      a.send({ command: 'join', streamId: 'r1' });
      a.send({ command: 'join', streamId: 'r2' });
      a.send({ command: 'join', streamId: 'r3' });
      a.send({ command: 'join', streamId: 'r2' });
      const frames = await a.take(4);
      expect(frames.filter((f) => f.command === 'error')).toEqual([{ command: 'error', definition: 'tooManyRooms', streamId: 'r3' }]);
      expect(frames.filter((f) => f.definition === 'joined').map((f) => f.streamId)).toEqual(['r1', 'r2', 'r2']);
      a.send({ command: 'leave', streamId: 'r1' });
      await a.next();
      a.send({ command: 'join', streamId: 'r3' });
      expect(await a.next()).toEqual({ command: 'notification', definition: 'joined', streamId: 'r3' });
    } finally {
      await t.close();
    }
  });
});
