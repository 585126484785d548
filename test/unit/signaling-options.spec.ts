import { MIN_FRAME_BYTES, SIGNALING_DEFAULTS, resolveSignalingOptions } from '../../src/signaling/signaling-options';

describe('resolveSignalingOptions', () => {
  it('applies the defaults', () => {
    const expected = {
      path: '/WebRTCAppEE/websocket',
      maxFrameBytes: 262_144,
      maxStreamIdLength: 128,
      heartbeatIntervalMs: 10_000,
      heartbeatTimeoutMs: 30_000,
    };
    // toMatchObject: other options may be added; these must keep their defaults
    expect(resolveSignalingOptions()).toMatchObject(expected);
    expect(resolveSignalingOptions({})).toMatchObject(expected);
    const resolved = resolveSignalingOptions({});
    expect(resolved.stunServerUri).toBeUndefined();
    expect(resolved.turn).toBeUndefined();
    expect(SIGNALING_DEFAULTS).toMatchObject({ ...expected, turnTtlSeconds: 86_400 });
    expect(MIN_FRAME_BYTES).toBe(80 * 1024);
  });

  it('keeps valid values', () => {
    expect(
      resolveSignalingOptions({
        path: '/live/websocket',
        maxFrameBytes: 100_000,
        maxStreamIdLength: 64,
        heartbeatIntervalMs: 500,
        heartbeatTimeoutMs: 500,
        stunServerUri: 'stun:stun.example.org:3478',
      }),
    ).toMatchObject({
      path: '/live/websocket',
      maxFrameBytes: 100_000,
      maxStreamIdLength: 64,
      heartbeatIntervalMs: 500,
      heartbeatTimeoutMs: 500,
      stunServerUri: 'stun:stun.example.org:3478',
    });
  });

  describe('path', () => {
    it.each(['/', '/a', '/WebRTCApp/websocket'])('accepts %p', (path) => {
      expect(resolveSignalingOptions({ path }).path).toBe(path);
    });

    it.each(['websocket', '', 'ws://host/websocket', '/websocket?target=origin', '/a?'])('rejects %p naming the option', (path) => {
      expect(() => resolveSignalingOptions({ path })).toThrow(/SignalingModule: path must start with "\/"/);
    });
  });

  describe('maxFrameBytes', () => {
    it('accepts exactly 80 KiB', () => {
      expect(resolveSignalingOptions({ maxFrameBytes: 80 * 1024 }).maxFrameBytes).toBe(81_920);
    });

    it('rejects anything below 80 KiB', () => {
      expect(() => resolveSignalingOptions({ maxFrameBytes: 80 * 1024 - 1 })).toThrow(
        /SignalingModule: maxFrameBytes must be at least 81920/,
      );
      expect(() => resolveSignalingOptions({ maxFrameBytes: 1024 })).toThrow(/maxFrameBytes must be at least/);
    });
  });

  describe('heartbeat', () => {
    it('rejects a timeout shorter than the interval', () => {
      expect(() => resolveSignalingOptions({ heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 999 })).toThrow(
        /SignalingModule: heartbeatTimeoutMs must not be shorter than heartbeatIntervalMs/,
      );
      // against the default interval (10 s) too
      expect(() => resolveSignalingOptions({ heartbeatTimeoutMs: 5000 })).toThrow(/heartbeatTimeoutMs/);
      // and a longer interval than the default timeout (30 s)
      expect(() => resolveSignalingOptions({ heartbeatIntervalMs: 60_000 })).toThrow(/heartbeatTimeoutMs/);
    });

    it('accepts a timeout equal to the interval', () => {
      const resolved = resolveSignalingOptions({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 100 });
      expect(resolved).toMatchObject({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 100 });
    });
  });

  describe('limits.maxBufferedBytes and livenessProbeTimeoutMs', () => {
    it('default to four frames and 1.5 s', () => {
      const resolved = resolveSignalingOptions();
      expect(resolved.limits.maxBufferedBytes).toBe(1024 * 1024);
      expect(resolved.livenessProbeTimeoutMs).toBe(1500);
      expect(resolveSignalingOptions({ maxFrameBytes: 100_000 }).limits.maxBufferedBytes).toBe(400_000);
    });

    it('keep valid values', () => {
      const resolved = resolveSignalingOptions({ livenessProbeTimeoutMs: 300, limits: { maxBufferedBytes: 262_144 } });
      expect(resolved.limits.maxBufferedBytes).toBe(262_144);
      expect(resolved.livenessProbeTimeoutMs).toBe(300);
    });

    it('refuse a send buffer cap smaller than one frame, naming both options', () => {
      expect(() => resolveSignalingOptions({ limits: { maxBufferedBytes: 200_000 } })).toThrow(
        /limits\.maxBufferedBytes \(200000\) must not be smaller than maxFrameBytes \(262144\)/,
      );
    });

    it.each([0, -5, 1.5])('refuse %p', (value) => {
      expect(() => resolveSignalingOptions({ livenessProbeTimeoutMs: value })).toThrow(/livenessProbeTimeoutMs must be a positive integer/);
      expect(() => resolveSignalingOptions({ limits: { maxBufferedBytes: value } })).toThrow(/limits\.maxBufferedBytes must be a positive integer/);
    });
  });

  describe('positive integers', () => {
    const names = ['maxFrameBytes', 'maxStreamIdLength', 'heartbeatIntervalMs', 'heartbeatTimeoutMs'] as const;
    const bad = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '100' as unknown as number];
    for (const name of names) {
      it.each(bad)(`rejects ${name} = %p naming the option`, (value) => {
        // keep the heartbeat pair consistent so the integer check is the one that fires
        const base = name === 'heartbeatIntervalMs' ? { heartbeatTimeoutMs: 1e9 } : {};
        expect(() => resolveSignalingOptions({ ...base, [name]: value })).toThrow(
          new RegExp(`SignalingModule: ${name} must be a positive integer`),
        );
      });
    }

    it.each(bad)('rejects turn.ttlSeconds = %p', (ttlSeconds) => {
      expect(() => resolveSignalingOptions({ turn: { uri: 'turn:t.example.org', ttlSeconds } })).toThrow(
        /SignalingModule: turn\.ttlSeconds must be a positive integer/,
      );
    });
  });

  describe('stunServerUri', () => {
    it.each(['stun:stun.example.org:3478', 'stuns:stun.example.org:5349', 'stun:127.0.0.1'])('accepts %p', (uri) => {
      expect(resolveSignalingOptions({ stunServerUri: uri }).stunServerUri).toBe(uri);
    });

    it('treats an empty string as none', () => {
      expect(resolveSignalingOptions({ stunServerUri: '' }).stunServerUri).toBeUndefined();
    });

    it.each(['turn:turn.example.org', 'http://stun.example.org', 'stun.example.org:3478', ' stun:x', 'STUNX'])(
      'rejects %p naming the option',
      (uri) => {
        expect(() => resolveSignalingOptions({ stunServerUri: uri })).toThrow(/SignalingModule: stunServerUri must start with "stun:"/);
      },
    );
  });

  describe('turn', () => {
    it('defaults ttlSeconds to 86400 and keeps the credentials', () => {
      expect(resolveSignalingOptions({ turn: { uri: 'turn:t.example.org:3478', username: 'u', credential: 'c' } }).turn).toEqual({
        uri: 'turn:t.example.org:3478',
        username: 'u',
        credential: 'c',
        ttlSeconds: 86_400,
      });
    });

    it('accepts turns: and a secret with a ttl', () => {
      expect(resolveSignalingOptions({ turn: { uri: 'turns:t.example.org:5349', secret: 's', ttlSeconds: 60 } }).turn).toEqual({
        uri: 'turns:t.example.org:5349',
        secret: 's',
        ttlSeconds: 60,
      });
    });

    it.each(['stun:t.example.org', 'http://t.example.org', 't.example.org:3478', 'turnx'])('rejects uri %p naming the option', (uri) => {
      expect(() => resolveSignalingOptions({ turn: { uri } })).toThrow(/SignalingModule: turn\.uri must start with "turn:" or "turns:"/);
    });

    it('is not copied by reference (later edits of the input do not leak in)', () => {
      const input = { turn: { uri: 'turn:t.example.org', secret: 'a' } };
      const resolved = resolveSignalingOptions(input);
      input.turn.secret = 'b';
      expect(resolved.turn?.secret).toBe('a');
    });
  });
});
