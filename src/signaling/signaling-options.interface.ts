/**
 * TURN server handed to clients by `getIceServerConfig`. It needs credentials: a `secret`, or a
 * static `username` and `credential` (both); without them the module fails at startup. Empty strings
 * count as unset.
 */
export interface TurnServerOptions {
  /** e.g. `turn:turn.example.com:3478`. */
  uri: string;
  /** Static credentials: both or neither. */
  username?: string;
  credential?: string;
  /**
   * Shared secret for time-limited credentials (TURN REST API, coturn `use-auth-secret`):
   * username = `<expiry unix time>:<connection id>`, credential = base64(HMAC-SHA1(secret, username)).
   * Takes precedence over static credentials.
   */
  secret?: string;
  /** Lifetime of secret-based credentials, in seconds. Default 86400. */
  ttlSeconds?: number;
}

/** Limits against broken and abusive clients. Every one has a default; see SIGNALING_DEFAULTS.limits. */
export interface SignalingLimits {
  /** Sustained frames per second per connection (token bucket refill). Default 100. */
  messagesPerSecond?: number;
  /** Frames a connection may send at once (token bucket size). Default 400. */
  messageBurst?: number;
  /**
   * Frames over the rate that a connection may send within 10 s before it is closed with 1008.
   * Until then each excess frame is dropped (the first of each 10 s gets a `rateLimitExceeded` error). Default 400.
   */
  maxDroppedMessages?: number;
  /** Connections to this node at once. Default 20000. */
  maxConnections?: number;
  /** Connections from one remote address at once. Default 256. */
  maxConnectionsPerAddress?: number;
  /** Rooms one connection may be in at once. Default 16. */
  maxRoomsPerConnection?: number;
  /** Longest accepted SDP, in characters. Default 131072. */
  maxSdpLength?: number;
  /** Longest accepted ICE candidate string, in characters. Default 4096. */
  maxCandidateLength?: number;
  /**
   * Bytes queued for sending to one connection (its socket's `bufferedAmount`: what `ws` and the
   * kernel socket buffer of this process still hold) beyond which the connection is closed with 4002
   * and cleaned up (reason `slow_consumer`): a client that stops reading cannot grow the server.
   * Must not be smaller than `maxFrameBytes`. Default: four times `maxFrameBytes` (1 MiB with its default).
   */
  maxBufferedBytes?: number;
}

/**
 * Join authorisation with JSON Web Tokens (Ant Media's `token` field of `join`). Needs `secret` or
 * `publicKey` (empty strings count as unset): a `jwt` block with neither fails at startup rather than
 * leaving joins open, so `jwt: { secret: process.env.JWT_SECRET }` with the variable unset is an error.
 */
export interface JwtAuthOptions {
  /** HS256 shared secret. */
  secret?: string;
  /** PEM public key for RS256 or ES256. */
  publicKey?: string;
  /** Accepted algorithms. Default: HS256 with a secret; RS256 and ES256 with a public key. */
  algorithms?: Array<'HS256' | 'RS256' | 'ES256'>;
  /** Leeway for `exp` and `nbf`, in seconds (0 or more). Default 30. */
  clockToleranceSeconds?: number;
}

export interface SignalingModuleOptions {
  /** WebSocket path, starting with `/` (not empty); the query string is ignored. Default `/WebRTCAppEE/websocket`. */
  path?: string;
  /** Largest accepted frame in bytes; a larger one closes the socket with 1009. Default 262144 (256 KiB). */
  maxFrameBytes?: number;
  /** Longest accepted streamId. Default 128. */
  maxStreamIdLength?: number;
  /** How often the server sends WebSocket pings. Default 10000 ms. */
  heartbeatIntervalMs?: number;
  /** A socket silent (no frame, no pong) for this long is terminated. Default 30000 ms. */
  heartbeatTimeoutMs?: number;
  /**
   * A `join` that finds its room full pings the members that showed no life in the last second; a
   * member that does not answer within this time is removed (reason `timeout`, its partner receives
   * `stop`) and the join proceeds. Default 1500 ms.
   */
  livenessProbeTimeoutMs?: number;
  /** STUN URI for `getIceServerConfig`, e.g. `stun:stun.l.google.com:19302`. */
  stunServerUri?: string;
  /** TURN server for `getIceServerConfig`; sent instead of STUN when set (the SDKs take one URI). */
  turn?: TurnServerOptions;
  limits?: SignalingLimits;
  /**
   * Browser Origins allowed to connect (exact match, e.g. `https://app.example.com`); any when unset.
   * Clients that send no Origin (mobile SDKs, servers) are allowed unless `requireOrigin` is true.
   * Each entry is an origin as browsers send it (`scheme://host[:port]`, no path or trailing slash, or
   * `null`); one that could never match fails at startup, as does an empty list with `requireOrigin`.
   */
  allowedOrigins?: string[];
  requireOrigin?: boolean;
  /**
   * Take the client address from the first `X-Forwarded-For` entry (behind a trusted proxy only:
   * anyone can send the header). Default false.
   */
  trustForwardedFor?: boolean;
  /**
   * When set, `join` must carry a `token` whose claims allow the streamId, else `unauthorized_access`.
   * Set means set: a block without `secret` and `publicKey` fails at startup.
   */
  jwt?: JwtAuthOptions;
}

export type ResolvedSignalingLimits = Readonly<Required<SignalingLimits>>;

export interface ResolvedSignalingOptions {
  readonly path: string;
  readonly maxFrameBytes: number;
  readonly maxStreamIdLength: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly livenessProbeTimeoutMs: number;
  readonly stunServerUri?: string;
  readonly turn?: Readonly<Required<Pick<TurnServerOptions, 'uri' | 'ttlSeconds'>> & TurnServerOptions>;
  readonly limits: ResolvedSignalingLimits;
  readonly allowedOrigins?: ReadonlySet<string>;
  readonly requireOrigin: boolean;
  readonly trustForwardedFor: boolean;
  readonly jwt?: Readonly<Required<Pick<JwtAuthOptions, 'algorithms' | 'clockToleranceSeconds'>> & JwtAuthOptions>;
}
