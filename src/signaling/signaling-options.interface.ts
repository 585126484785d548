/** TURN server handed to clients by `getIceServerConfig`. */
export interface TurnServerOptions {
  /** e.g. `turn:turn.example.com:3478`. */
  uri: string;
  /** Static credentials. */
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

export interface SignalingModuleOptions {
  /** WebSocket path; the query string is ignored. Default `/WebRTCAppEE/websocket`. */
  path?: string;
  /** Largest accepted frame in bytes; a larger one closes the socket with 1009. Default 262144 (256 KiB). */
  maxFrameBytes?: number;
  /** Longest accepted streamId. Default 128. */
  maxStreamIdLength?: number;
  /** How often the server sends WebSocket pings. Default 10000 ms. */
  heartbeatIntervalMs?: number;
  /** A socket silent (no frame, no pong) for this long is terminated. Default 30000 ms. */
  heartbeatTimeoutMs?: number;
  /** STUN URI for `getIceServerConfig`, e.g. `stun:stun.l.google.com:19302`. */
  stunServerUri?: string;
  /** TURN server for `getIceServerConfig`; sent instead of STUN when set (the SDKs take one URI). */
  turn?: TurnServerOptions;
}

export interface ResolvedSignalingOptions {
  readonly path: string;
  readonly maxFrameBytes: number;
  readonly maxStreamIdLength: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly stunServerUri?: string;
  readonly turn?: Readonly<Required<Pick<TurnServerOptions, 'uri' | 'ttlSeconds'>> & TurnServerOptions>;
}
