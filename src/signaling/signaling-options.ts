import type {
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

/** Applies defaults and rejects options that cannot work, with a message that names the option. */
export function resolveSignalingOptions(options: SignalingModuleOptions = {}): ResolvedSignalingOptions {
  const path = options.path ?? SIGNALING_DEFAULTS.path;
  if (!path.startsWith('/') || path.includes('?')) {
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
  let turn: ResolvedSignalingOptions['turn'];
  if (options.turn) {
    if (!/^turns?:/.test(options.turn.uri ?? '')) {
      throw new Error(`SignalingModule: turn.uri must start with "turn:" or "turns:" (got "${options.turn.uri}")`);
    }
    turn = {
      ...options.turn,
      ttlSeconds: positiveInteger('turn.ttlSeconds', options.turn.ttlSeconds, SIGNALING_DEFAULTS.turnTtlSeconds),
    };
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
    allowedOrigins: options.allowedOrigins ? new Set(options.allowedOrigins) : undefined,
    requireOrigin: options.requireOrigin ?? false,
    trustForwardedFor: options.trustForwardedFor ?? false,
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

function resolveJwt(jwt: SignalingModuleOptions['jwt']): ResolvedSignalingOptions['jwt'] {
  if (!jwt || (!jwt.secret && !jwt.publicKey)) return undefined;
  const algorithms = jwt.algorithms ?? [...(jwt.secret ? ['HS256' as const] : []), ...(jwt.publicKey ? ['RS256' as const, 'ES256' as const] : [])];
  if (algorithms.includes('HS256') && !jwt.secret) throw new Error('SignalingModule: jwt HS256 needs jwt.secret');
  if (algorithms.some((a) => a !== 'HS256') && !jwt.publicKey) {
    throw new Error('SignalingModule: jwt RS256/ES256 need jwt.publicKey');
  }
  return {
    ...jwt,
    algorithms,
    clockToleranceSeconds: jwt.clockToleranceSeconds ?? SIGNALING_DEFAULTS.jwtClockToleranceSeconds,
  };
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`SignalingModule: ${name} must be a positive integer (got ${value})`);
  }
  return value;
}
