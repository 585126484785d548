/** What a join authoriser is asked about. */
export interface JoinAttempt {
  readonly streamId: string;
  /** The `token` field of the `join` frame, if any. */
  readonly token?: string;
  readonly mode: string;
  readonly connectionId: string;
  readonly remoteAddress: string;
  readonly userAgent: string;
}

/**
 * Decides whether a `join` may proceed; a refusal is answered with `unauthorized_access`.
 * The default checks a JWT when one is configured and allows everything otherwise; a host app
 * provides its own with `SignalingModule.forRoot({ joinAuthorizer: MyAuthorizer })`.
 */
export abstract class JoinAuthorizer {
  abstract authorize(attempt: JoinAttempt): boolean | Promise<boolean>;
}
