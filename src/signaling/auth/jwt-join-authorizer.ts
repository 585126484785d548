import { Inject, Injectable, Logger } from '@nestjs/common';
import { logSafe } from '../log-safe';
import { SIGNALING_OPTIONS } from '../signaling.module-definition';
import type { ResolvedSignalingOptions } from '../signaling-options.interface';
import { JoinAttempt, JoinAuthorizer } from './join-authorizer';
import { JwtVerifier, type JwtClaims } from './jwt-verifier';

/**
 * The default JoinAuthorizer. With `jwt` configured, `join` must carry a `token` (HS256, RS256 or
 * ES256) whose `streamId` claim equals the room, or whose `streamIds` claim lists it (`"*"` allows
 * any room); `exp` and `nbf` are honoured. Without `jwt`, every join is allowed.
 * Tokens are verified only when asked (a `join`, or a `getIceServerConfig` with a token), never per frame.
 */
@Injectable()
export class JwtJoinAuthorizer extends JoinAuthorizer {
  private readonly logger = new Logger(JwtJoinAuthorizer.name);
  private readonly verifier: JwtVerifier | undefined;

  constructor(@Inject(SIGNALING_OPTIONS) options: ResolvedSignalingOptions) {
    super();
    this.verifier = options.jwt && new JwtVerifier(options.jwt);
  }

  /** On with `jwt` configured; a subclass (a host's own authoriser built on this one) is always on. */
  override restrictsJoins(): boolean {
    return this.verifier !== undefined || this.constructor !== JwtJoinAuthorizer;
  }

  authorize(attempt: JoinAttempt): boolean | Promise<boolean> {
    if (!this.verifier) return true;
    if (!attempt.token) return this.refuse(attempt, 'no token');
    return this.verifier.verify(attempt.token).then((result) => {
      if ('error' in result) return this.refuse(attempt, result.error);
      if (!allowsRoom(result.claims, attempt.streamId)) return this.refuse(attempt, 'token not valid for this streamId');
      return true;
    });
  }

  private refuse(attempt: JoinAttempt, reason: string): false {
    this.logger.debug(
      `${attempt.command ?? 'join'} for ${logSafe(attempt.streamId, 128)} by ${attempt.connectionId} refused: ${reason}`,
    );
    return false;
  }
}

function allowsRoom(claims: JwtClaims, streamId: string): boolean {
  if (claims.streamId === streamId) return true;
  const list = claims.streamIds;
  return Array.isArray(list) && (list.includes(streamId) || list.includes('*'));
}
