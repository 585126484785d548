/** Name of the history DataSource, so it never clashes with a host app's default TypeORM connection. */
export const HISTORY_CONNECTION = 'signalingHistory';
