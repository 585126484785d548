/** What a join authoriser is asked about. */
export interface JoinAttempt {
  readonly streamId: string;
  /** The `token` field of the frame, if any. */
  readonly token?: string;
  readonly mode: string;
  readonly connectionId: string;
  readonly remoteAddress: string;
  readonly userAgent: string;
  /**
   * The command that asks: `join`, or `getIceServerConfig` carrying a `token` and a `streamId` (a
   * socket that wants TURN credentials before it joins; see `restrictsJoins`). Absent means `join`.
   */
  readonly command?: 'join' | 'getIceServerConfig';
}

/**
 * Decides whether a `join` may proceed; a refusal is answered with `unauthorized_access`.
 * The default checks a JWT when one is configured and allows everything otherwise; a host app
 * provides its own with `SignalingModule.forRoot({ joinAuthorizer: MyAuthorizer })`.
 */
export abstract class JoinAuthorizer {
  abstract authorize(attempt: JoinAttempt): boolean | Promise<boolean>;

  /**
   * Whether join authorisation is on. While it is, `getIceServerConfig` hands TURN credentials only
   * to a socket that is a member of a room, or that presents a `token` this authoriser accepts for the
   * frame's `streamId` (asked with `command: 'getIceServerConfig'`); any other socket gets the STUN
   * server only. True for every authoriser a host app provides (override it to return false for one
   * that lets everybody in); the default JWT authoriser is on when `jwt` is configured.
   */
  restrictsJoins(): boolean {
    return true;
  }
}
