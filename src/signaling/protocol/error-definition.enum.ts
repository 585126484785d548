/** `definition` values of `{"command":"error"}` frames. Spellings are Ant Media Server's. */
export enum ErrorDefinition {
  /** A command that needs a room came without a non-empty string `streamId`. */
  NoStreamNameSpecified = 'noStreamNameSpecified',
  /** `streamId` outside `^[A-Za-z0-9_.-]+$` or longer than the configured maximum. */
  InvalidStreamName = 'invalidStreamName',
  /** `join` on a room that already holds two peers. */
  NoSpaceForNewPeer = 'NoSpaceForNewPeer',
  /** Relay or leave with no peer to talk to, or from a socket that is not a member. */
  NoPeerAssociatedBefore = 'no_peer_associated_before',
  /** `join` refused by the configured authorisation. */
  UnauthorizedAccess = 'unauthorized_access',
  /** Not a JSON object with a string `command`, or a known command with fields of the wrong type or size. */
  InvalidMessage = 'invalidMessage',
  /** Frames sent faster than the connection's rate limit are dropped (ours). */
  RateLimitExceeded = 'rateLimitExceeded',
  /** `join` by a connection already in the most rooms allowed (ours). */
  TooManyRooms = 'tooManyRooms',
}
