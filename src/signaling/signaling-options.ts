import { createPublicKey } from 'node:crypto';
import type {
  JwtAuthOptions,
  ResolvedSignalingLimits,
  ResolvedSignalingOptions,
  SignalingLimits,
  SignalingModuleOptions,
} from './signaling-options.interface';

export const SIGNALING_DEFAULTS = {
  path: '/WebRTCAppEE/websocket',
  maxFrameBytes: 256 * 1024,
  maxStreamIdLength: 128,
  heartbeatIntervalMs: 10_000,
  heartbeatTimeoutMs: 30_000,
  livenessProbeTimeoutMs: 1500,
  turnTtlSeconds: 86_400,
  jwtClockToleranceSeconds: 30,
  limits: {
    messagesPerSecond: 100,
    messageBurst: 400,
    maxDroppedMessages: 400,
    maxConnections: 20_000,
    maxConnectionsPerAddress: 256,
    maxRoomsPerConnection: 16,
    maxSdpLength: 131_072,
    maxCandidateLength: 4096,
  },
  /** `limits.maxBufferedBytes` is this many times `maxFrameBytes` unless set (1 MiB with the defaults). */
  bufferedFramesFactor: 4,
} as const;

/** The smallest frame limit allowed: Ant Media accepts 81,920 characters and SDPs get that big. */
export const MIN_FRAME_BYTES = 80 * 1024;

/**
 * Applies defaults and rejects options that cannot work, with a message that names the option.
 *
 * A block that is present but half filled in fails here, at startup, instead of running with a
 * silent hole: `jwt` without a key (join authorisation would be off), `turn` without credentials
 * (clients would get empty ones), a static TURN username without its credential. Empty strings count
 * as unset, since that is what an unset environment variable usually becomes.
 */
export function resolveSignalingOptions(options: SignalingModuleOptions = {}): ResolvedSignalingOptions {
  const path = options.path ?? SIGNALING_DEFAULTS.path;
  if (path === '') {
    throw new Error(
      `SignalingModule: path is empty (an unset environment variable?): give a path starting with "/" or leave it undefined for the default "${SIGNALING_DEFAULTS.path}"`,
    );
  }
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('?')) {
    throw new Error(`SignalingModule: path must start with "/" and have no query string (got "${path}")`);
  }
  const maxFrameBytes = positiveInteger('maxFrameBytes', options.maxFrameBytes, SIGNALING_DEFAULTS.maxFrameBytes);
  if (maxFrameBytes < MIN_FRAME_BYTES) {
    throw new Error(`SignalingModule: maxFrameBytes must be at least ${MIN_FRAME_BYTES} (SDPs need it)`);
  }
  const heartbeatIntervalMs = positiveInteger(
    'heartbeatIntervalMs',
    options.heartbeatIntervalMs,
    SIGNALING_DEFAULTS.heartbeatIntervalMs,
  );
  const heartbeatTimeoutMs = positiveInteger(
    'heartbeatTimeoutMs',
    options.heartbeatTimeoutMs,
    SIGNALING_DEFAULTS.heartbeatTimeoutMs,
  );
  if (heartbeatTimeoutMs < heartbeatIntervalMs) {
    throw new Error('SignalingModule: heartbeatTimeoutMs must not be shorter than heartbeatIntervalMs');
  }
  const limits = resolveLimits(options.limits ?? {}, maxFrameBytes);
  if (limits.maxBufferedBytes < maxFrameBytes) {
    throw new Error(
      `SignalingModule: limits.maxBufferedBytes (${limits.maxBufferedBytes}) must not be smaller than maxFrameBytes (${maxFrameBytes}): one relayed frame can be that big`,
    );
  }
  const stunServerUri = options.stunServerUri || undefined;
  if (stunServerUri && !/^stuns?:/.test(stunServerUri)) {
    throw new Error(`SignalingModule: stunServerUri must start with "stun:" (got "${stunServerUri}")`);
  }
  const turn = resolveTurn(options.turn);
  const requireOrigin = booleanOption('requireOrigin', options.requireOrigin);
  const allowedOrigins = resolveAllowedOrigins(options.allowedOrigins);
  if (requireOrigin && allowedOrigins?.size === 0) {
    throw new Error('SignalingModule: requireOrigin is true and allowedOrigins is empty: every client would be refused');
  }
  return {
    path,
    maxFrameBytes,
    maxStreamIdLength: positiveInteger(
      'maxStreamIdLength',
      options.maxStreamIdLength,
      SIGNALING_DEFAULTS.maxStreamIdLength,
    ),
    heartbeatIntervalMs,
    heartbeatTimeoutMs,
    livenessProbeTimeoutMs: positiveInteger(
      'livenessProbeTimeoutMs',
      options.livenessProbeTimeoutMs,
      SIGNALING_DEFAULTS.livenessProbeTimeoutMs,
    ),
    stunServerUri,
    turn,
    limits,
    allowedOrigins,
    requireOrigin,
    trustForwardedFor: booleanOption('trustForwardedFor', options.trustForwardedFor),
    jwt: resolveJwt(options.jwt),
  };
}

function resolveLimits(limits: SignalingLimits, maxFrameBytes: number): ResolvedSignalingLimits {
  const resolved = {} as Record<keyof SignalingLimits, number>;
  for (const [name, fallback] of Object.entries(SIGNALING_DEFAULTS.limits) as Array<[keyof SignalingLimits, number]>) {
    resolved[name] = positiveInteger(`limits.${name}`, limits[name], fallback);
  }
  resolved.maxBufferedBytes = positiveInteger(
    'limits.maxBufferedBytes',
    limits.maxBufferedBytes,
    SIGNALING_DEFAULTS.bufferedFramesFactor * maxFrameBytes,
  );
  return resolved;
}

function resolveTurn(turn: SignalingModuleOptions['turn']): ResolvedSignalingOptions['turn'] {
  if (turn === undefined || turn === null) return undefined;
  const { uri } = turn;
  if (typeof uri !== 'string' || !/^turns?:/.test(uri)) {
    throw new Error(`SignalingModule: turn.uri must start with "turn:" or "turns:" (got "${uri}")`);
  }
  const ttlSeconds = positiveInteger('turn.ttlSeconds', turn.ttlSeconds, SIGNALING_DEFAULTS.turnTtlSeconds);
  const secret = nonEmpty('turn.secret', turn.secret);
  const username = nonEmpty('turn.username', turn.username);
  const credential = nonEmpty('turn.credential', turn.credential);
  if (username !== undefined && credential === undefined) {
    throw new Error('SignalingModule: turn.username is set but turn.credential is empty: static TURN credentials need both');
  }
  if (credential !== undefined && username === undefined) {
    throw new Error('SignalingModule: turn.credential is set but turn.username is empty: static TURN credentials need both');
  }
  if (secret === undefined && username === undefined) {
    throw new Error(
      `SignalingModule: turn (${uri}) has no credentials: turn.secret is empty and no static turn.username/turn.credential are set ` +
        '(an unset environment variable?); clients would be handed empty TURN credentials. Set turn.secret, or turn.username and turn.credential, or leave turn undefined',
    );
  }
  return {
    uri,
    ttlSeconds,
    ...(secret !== undefined && { secret }),
    ...(username !== undefined && { username, credential }),
  };
}

const JWT_ALGORITHMS: ReadonlyArray<NonNullable<JwtAuthOptions['algorithms']>[number]> = ['HS256', 'RS256', 'ES256'];

function resolveJwt(jwt: SignalingModuleOptions['jwt']): ResolvedSignalingOptions['jwt'] {
  if (jwt === undefined || jwt === null) return undefined;
  const secret = nonEmpty('jwt.secret', jwt.secret);
  const publicKey = nonEmpty('jwt.publicKey', jwt.publicKey);
  if (secret === undefined && publicKey === undefined) {
    throw new Error(
      'SignalingModule: jwt is set but jwt.secret and jwt.publicKey are both empty (an unset environment variable?): ' +
        'join authorisation would be off and every join allowed. Set one of them, or leave jwt undefined to allow every join',
    );
  }
  if (publicKey !== undefined) {
    try {
      createPublicKey(publicKey);
    } catch (error) {
      throw new Error(`SignalingModule: jwt.publicKey is not a PEM public key (${(error as Error).message})`);
    }
  }
  if (jwt.algorithms !== undefined) {
    if (!Array.isArray(jwt.algorithms) || jwt.algorithms.length === 0) {
      throw new Error('SignalingModule: jwt.algorithms is empty: no token could be accepted (leave it undefined for the default)');
    }
    const unknown = jwt.algorithms.find((a) => !JWT_ALGORITHMS.includes(a));
    if (unknown !== undefined) {
      throw new Error(`SignalingModule: jwt.algorithms has "${unknown}": supported are ${JWT_ALGORITHMS.join(', ')}`);
    }
  }
  const algorithms = jwt.algorithms ? [...jwt.algorithms] : [...(secret ? ['HS256' as const] : []), ...(publicKey ? ['RS256' as const, 'ES256' as const] : [])];
  if (algorithms.includes('HS256') && !secret) throw new Error('SignalingModule: jwt HS256 needs jwt.secret');
  if (algorithms.some((a) => a !== 'HS256') && !publicKey) {
    throw new Error('SignalingModule: jwt RS256/ES256 need jwt.publicKey');
  }
  const clockToleranceSeconds = jwt.clockToleranceSeconds ?? SIGNALING_DEFAULTS.jwtClockToleranceSeconds;
  // NaN (e.g. Number(undefined)) would make every exp/nbf comparison false: expired tokens accepted.
  if (typeof clockToleranceSeconds !== 'number' || !Number.isFinite(clockToleranceSeconds) || clockToleranceSeconds < 0) {
    throw new Error(`SignalingModule: jwt.clockToleranceSeconds must be a number of seconds, 0 or more (got ${jwt.clockToleranceSeconds})`);
  }
  return {
    ...(secret !== undefined && { secret }),
    ...(publicKey !== undefined && { publicKey }),
    algorithms,
    clockToleranceSeconds,
  };
}

/**
 * Origins as browsers send them: `scheme://host[:port]`, lower case, no default port, no path or
 * trailing slash (an entry with one would never match), or `null`.
 */
function resolveAllowedOrigins(origins: SignalingModuleOptions['allowedOrigins']): ResolvedSignalingOptions['allowedOrigins'] {
  if (origins === undefined || origins === null) return undefined;
  if (!Array.isArray(origins)) throw new Error('SignalingModule: allowedOrigins must be an array of origins');
  for (const origin of origins) {
    if (typeof origin !== 'string' || origin === '') {
      throw new Error(`SignalingModule: allowedOrigins has an empty entry (got ${JSON.stringify(origins)})`);
    }
    if (origin === 'null') continue;
    if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+$/.test(origin)) {
      throw new Error(
        `SignalingModule: allowedOrigins entry "${origin}" is not an origin (scheme://host[:port], no path, no trailing slash): no browser would match it`,
      );
    }
    if (/^https?:/.test(origin)) {
      const canonical = new URL(origin).origin;
      if (canonical !== origin) {
        throw new Error(`SignalingModule: allowedOrigins entry "${origin}" would never match: browsers send "${canonical}"`);
      }
    }
  }
  return new Set(origins);
}

function booleanOption(name: string, value: boolean | undefined): boolean {
  if (value === undefined || value === null) return false;
  // A string such as "false" from an environment variable would otherwise count as true.
  if (typeof value !== 'boolean') throw new Error(`SignalingModule: ${name} must be true or false (got ${JSON.stringify(value)})`);
  return value;
}

/** An empty string is unset (what an unset environment variable usually becomes); anything else must be a string. */
function nonEmpty(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`SignalingModule: ${name} must be a string (got ${typeof value})`);
  return value;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`SignalingModule: ${name} must be a positive integer (got ${value})`);
  }
  return value;
}
