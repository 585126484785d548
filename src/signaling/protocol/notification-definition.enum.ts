/** `definition` values of `{"command":"notification"}` frames. */
export enum NotificationDefinition {
  Joined = 'joined',
  /** Ant Media's spelling. */
  Leaved = 'leaved',
}
