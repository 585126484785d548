import { generateKeyPairSync } from 'node:crypto';
import { MIN_FRAME_BYTES, SIGNALING_DEFAULTS, resolveSignalingOptions } from '../../src/signaling/signaling-options';
import type { SignalingModuleOptions } from '../../src/signaling/signaling-options.interface';

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

    it.each(['websocket', 'ws://host/websocket', '/websocket?target=origin', '/a?'])('rejects %p naming the option', (path) => {
      expect(() => resolveSignalingOptions({ path })).toThrow(/SignalingModule: path must start with "\/"/);
    });

    it('rejects an empty path (an unset variable), naming the option and the default', () => {
      expect(() => resolveSignalingOptions({ path: '' })).toThrow(
        'SignalingModule: path is empty (an unset environment variable?): give a path starting with "/" or leave it undefined for the default "/WebRTCAppEE/websocket"',
      );
    });

    it('takes an undefined path (an unset variable in a conditional) as the default', () => {
      expect(resolveSignalingOptions({ path: undefined }).path).toBe('/WebRTCAppEE/websocket');
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
  describe('half-configured turn', () => {
    const uri = 'turn:t.example.org:3478';
    const noCredentials =
      'SignalingModule: turn (turn:t.example.org:3478) has no credentials: turn.secret is empty and no static turn.username/turn.credential are set ' +
      '(an unset environment variable?); clients would be handed empty TURN credentials. Set turn.secret, or turn.username and turn.credential, or leave turn undefined';

    it.each<[string, SignalingModuleOptions['turn']]>([
      ['nothing but the uri', { uri }],
      ['secret undefined (process.env.TURN_SECRET unset)', { uri, secret: undefined }],
      ['secret empty', { uri, secret: '' }],
      ['secret, username and credential all empty', { uri, secret: '', username: '', credential: '' }],
      ['a ttl but no secret', { uri, ttlSeconds: 600 }],
    ])('refuses %s, naming turn.secret and the static pair', (_, turn) => {
      expect(() => resolveSignalingOptions({ turn, stunServerUri: 'stun:stun.example.org' })).toThrow(noCredentials);
    });

    it.each<[string, SignalingModuleOptions['turn']]>([
      ['no credential', { uri, username: 'u' }],
      ['an empty credential', { uri, username: 'u', credential: '' }],
      ['no credential, with a secret', { uri, username: 'u', secret: 's' }],
    ])('refuses a username with %s', (_, turn) => {
      expect(() => resolveSignalingOptions({ turn })).toThrow(
        'SignalingModule: turn.username is set but turn.credential is empty: static TURN credentials need both',
      );
    });

    it.each<[string, SignalingModuleOptions['turn']]>([
      ['no username', { uri, credential: 'c' }],
      ['an empty username', { uri, username: '', credential: 'c' }],
    ])('refuses a credential with %s', (_, turn) => {
      expect(() => resolveSignalingOptions({ turn })).toThrow(
        'SignalingModule: turn.credential is set but turn.username is empty: static TURN credentials need both',
      );
    });

    it('takes an empty secret as unset when static credentials are given', () => {
      expect(resolveSignalingOptions({ turn: { uri, secret: '', username: 'u', credential: 'c' } }).turn).toStrictEqual({
        uri,
        username: 'u',
        credential: 'c',
        ttlSeconds: 86_400,
      });
    });

    it('takes empty static credentials as unset when a secret is given', () => {
      expect(resolveSignalingOptions({ turn: { uri, secret: 's', username: '', credential: '' } }).turn).toStrictEqual({
        uri,
        secret: 's',
        ttlSeconds: 86_400,
      });
    });

    it('keeps a secret and a static pair together (the secret wins at runtime)', () => {
      expect(resolveSignalingOptions({ turn: { uri, secret: 's', username: 'u', credential: 'c' } }).turn).toMatchObject({
        secret: 's',
        username: 'u',
        credential: 'c',
      });
    });

    it('refuses an undefined or empty uri naming turn.uri', () => {
      expect(() => resolveSignalingOptions({ turn: { uri: undefined as unknown as string, secret: 's' } })).toThrow(
        /SignalingModule: turn\.uri must start with "turn:" or "turns:" \(got "undefined"\)/,
      );
      expect(() => resolveSignalingOptions({ turn: { uri: '', secret: 's' } })).toThrow(/turn\.uri must start with/);
    });

    it('leaves an undefined turn off (STUN still answered)', () => {
      const resolved = resolveSignalingOptions({ turn: undefined, stunServerUri: 'stun:stun.example.org' });
      expect(resolved.turn).toBeUndefined();
      expect(resolved.stunServerUri).toBe('stun:stun.example.org');
    });
  });

  describe('jwt', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const noKey =
      'SignalingModule: jwt is set but jwt.secret and jwt.publicKey are both empty (an unset environment variable?): ' +
      'join authorisation would be off and every join allowed. Set one of them, or leave jwt undefined to allow every join';

    it.each<[string, SignalingModuleOptions['jwt']]>([
      ['an empty block', {}],
      ['secret undefined (process.env.JWT_SECRET unset)', { secret: undefined }],
      ['secret empty', { secret: '' }],
      ['secret and publicKey empty', { secret: '', publicKey: '' }],
      ['only algorithms and a tolerance', { algorithms: ['HS256'], clockToleranceSeconds: 5 }],
    ])('refuses %s instead of leaving joins open', (_, jwt) => {
      expect(() => resolveSignalingOptions({ jwt })).toThrow(noKey);
    });

    it('the README case: jwt: { secret: process.env.JWT_SECRET } with the variable unset fails', () => {
      const env: NodeJS.ProcessEnv = {};
      expect(() => resolveSignalingOptions({ jwt: { secret: env.JWT_SECRET } })).toThrow(/jwt\.secret and jwt\.publicKey are both empty/);
    });

    it('leaves an undefined jwt off', () => {
      expect(resolveSignalingOptions({ jwt: undefined }).jwt).toBeUndefined();
    });

    it('defaults algorithms and tolerance from the key given, dropping an empty other key', () => {
      expect(resolveSignalingOptions({ jwt: { secret: 's', publicKey: '' } }).jwt).toStrictEqual({
        secret: 's',
        algorithms: ['HS256'],
        clockToleranceSeconds: 30,
      });
      expect(resolveSignalingOptions({ jwt: { secret: '', publicKey: pem } }).jwt).toStrictEqual({
        publicKey: pem,
        algorithms: ['RS256', 'ES256'],
        clockToleranceSeconds: 30,
      });
    });

    it('refuses a public key that is not PEM, naming the option', () => {
      expect(() => resolveSignalingOptions({ jwt: { publicKey: 'not a key' } })).toThrow(
        /^SignalingModule: jwt\.publicKey is not a PEM public key \(/,
      );
    });

    it('refuses an empty or unknown algorithms list', () => {
      expect(() => resolveSignalingOptions({ jwt: { secret: 's', algorithms: [] } })).toThrow(
        'SignalingModule: jwt.algorithms is empty: no token could be accepted (leave it undefined for the default)',
      );
      expect(() => resolveSignalingOptions({ jwt: { secret: 's', algorithms: ['none' as 'HS256'] } })).toThrow(
        'SignalingModule: jwt.algorithms has "none": supported are HS256, RS256, ES256',
      );
    });

    it('refuses an algorithm without its key (as before)', () => {
      expect(() => resolveSignalingOptions({ jwt: { publicKey: pem, algorithms: ['HS256'] } })).toThrow('SignalingModule: jwt HS256 needs jwt.secret');
      expect(() => resolveSignalingOptions({ jwt: { secret: 's', algorithms: ['RS256'] } })).toThrow('SignalingModule: jwt RS256/ES256 need jwt.publicKey');
    });

    it.each([Number.NaN, -1, Number.POSITIVE_INFINITY, '30' as unknown as number])(
      'refuses clockToleranceSeconds = %p (NaN would let expired tokens in)',
      (clockToleranceSeconds) => {
        expect(() => resolveSignalingOptions({ jwt: { secret: 's', clockToleranceSeconds } })).toThrow(
          /^SignalingModule: jwt\.clockToleranceSeconds must be a number of seconds, 0 or more/,
        );
      },
    );

    it('accepts a tolerance of 0', () => {
      expect(resolveSignalingOptions({ jwt: { secret: 's', clockToleranceSeconds: 0 } }).jwt?.clockToleranceSeconds).toBe(0);
    });
  });

  describe('origins and flags', () => {
    it('keeps valid origins, including non-http schemes and null', () => {
      const origins = ['https://app.example.com', 'http://localhost:8080', 'capacitor://localhost', 'null'];
      expect(resolveSignalingOptions({ allowedOrigins: origins }).allowedOrigins).toEqual(new Set(origins));
    });

    it.each([
      ['https://app.example.com/', /allowedOrigins entry "https:\/\/app\.example\.com\/" is not an origin/],
      ['https://app.example.com/path', /is not an origin \(scheme:\/\/host\[:port\], no path, no trailing slash\)/],
      ['app.example.com', /allowedOrigins entry "app\.example\.com" is not an origin/],
      ['https://App.Example.com', /allowedOrigins entry "https:\/\/App\.Example\.com" would never match: browsers send "https:\/\/app\.example\.com"/],
      ['https://app.example.com:443', /would never match: browsers send "https:\/\/app\.example\.com"/],
      ['', /SignalingModule: allowedOrigins has an empty entry/],
    ])('refuses origin %p', (origin, message) => {
      expect(() => resolveSignalingOptions({ allowedOrigins: ['https://ok.example.com', origin] })).toThrow(message);
    });

    it('refuses requireOrigin with an empty allow list (every client refused)', () => {
      expect(() => resolveSignalingOptions({ allowedOrigins: [], requireOrigin: true })).toThrow(
        'SignalingModule: requireOrigin is true and allowedOrigins is empty: every client would be refused',
      );
      // without requireOrigin an empty list is a choice: no browser, clients without Origin only
      expect(resolveSignalingOptions({ allowedOrigins: [] }).allowedOrigins).toEqual(new Set());
    });

    it.each(['requireOrigin', 'trustForwardedFor'] as const)('refuses a string %s (an env "false" would count as true)', (name) => {
      expect(() => resolveSignalingOptions({ [name]: 'false' as unknown as boolean })).toThrow(
        `SignalingModule: ${name} must be true or false (got "false")`,
      );
      expect(resolveSignalingOptions({ [name]: true })[name]).toBe(true);
      expect(resolveSignalingOptions({})[name]).toBe(false);
    });
  });
});
