import { ErrorDefinition } from './error-definition.enum';

/**
 * A client error that is answered with `{"command":"error","definition":…}`.
 * Thrown by the validators and the gateway; turned into a frame by SignalingExceptionFilter.
 */
export class ProtocolError extends Error {
  constructor(
    readonly definition: ErrorDefinition,
    readonly streamId?: string,
    /** Human-readable detail, sent as `message` (only for `invalidMessage`, which is ours). */
    readonly detail?: string,
  ) {
    super(detail ?? definition);
    this.name = 'ProtocolError';
  }
}
