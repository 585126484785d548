/**
 * A start refused for a reason the message says in full (configuration, data directory in use, port
 * taken): main.ts logs the message alone, without a stack trace, and exits with status 1.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
