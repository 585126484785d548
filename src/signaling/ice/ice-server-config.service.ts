import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { JoinAuthorizer, type JoinAttempt } from '../auth/join-authorizer';
import type { PeerConnection } from '../connections/peer-connection';
import { logSafeMessage, logSafeStack } from '../log-safe';
import { MAX_MODE_LENGTH, STREAM_ID_PATTERN } from '../protocol/frame-validator';
import type { InboundFrame } from '../protocol/inbound-frames';
import { iceServerConfigFrame } from '../protocol/outbound-messages';
import { SIGNALING_OPTIONS } from '../signaling.module-definition';
import type { ResolvedSignalingOptions } from '../signaling-options.interface';
import { createTurnCredentials } from './turn-credentials';

/**
 * Answers `getIceServerConfig`. The SDKs read one URI (`stunServerUri`): a configured TURN server
 * is sent there with its credentials (the SDK then adds a public STUN server itself), otherwise
 * the STUN server. With nothing configured there is no answer, as the contract says.
 *
 * With join authorisation on (JoinAuthorizer.restrictsJoins: a `jwt` key configured, or an authoriser
 * of the host app), TURN credentials go only to a socket that is a member of a room now, or whose
 * frame carries a `token` that the authoriser accepts for the frame's `streamId`, as for a `join`.
 * Any other socket gets the STUN server (`stunServerUri`), or no answer when none is configured:
 * whoever reaches the WebSocket cannot mint relay credentials. Never an error frame.
 *
 * The JS SDK (2.16) uses the URI only when it starts with `turn:` or `stun:`: a `turns:` or `stuns:`
 * URI is ignored by it (it keeps its default ICE servers), so one is warned about at startup. The
 * mobile SDKs never send `getIceServerConfig`: their apps configure ICE servers themselves.
 */
@Injectable()
export class IceServerConfigService {
  private readonly logger = new Logger(IceServerConfigService.name);
  /** Frame built once when the answer does not change per request. */
  private readonly fixedFrame: string | undefined;
  /** What a socket not entitled to TURN credentials gets: the STUN server, or nothing. */
  private readonly stunOnlyFrame: string | undefined;

  constructor(
    @Inject(SIGNALING_OPTIONS) private readonly options: ResolvedSignalingOptions,
    /** Absent only when constructed by hand (tests): no join authorisation then. */
    @Optional() private readonly authorizer?: JoinAuthorizer,
  ) {
    const { turn, stunServerUri } = options;
    const sent = turn ? turn.uri : stunServerUri;
    if (sent && /^(turns|stuns):/i.test(sent)) {
      this.logger.warn(
        `${turn ? 'turn.uri' : 'stunServerUri'} "${sent}" starts with "${sent.split(':')[0]}:": the Ant Media JS SDK ignores such a URI ` +
          `in iceServerConfig and keeps its default ICE servers (it reads only "turn:" and "stun:"); mobile SDKs never ask`,
      );
    }
    this.stunOnlyFrame = stunServerUri ? iceServerConfigFrame({ stunServerUri }) : undefined;
    if (turn && !turn.secret) {
      this.fixedFrame = iceServerConfigFrame({
        stunServerUri: turn.uri,
        turnServerUsername: turn.username ?? '',
        turnServerCredential: turn.credential ?? '',
      });
    } else if (!turn) {
      this.fixedFrame = this.stunOnlyFrame;
    }
  }

  /**
   * The answer to `frame` (a `getIceServerConfig`) from `connection`: the frame to send, or undefined
   * for none. Synchronous unless a token has to be checked (join authorisation on, TURN configured,
   * the socket in no room, and the frame with a `token` and a valid `streamId`).
   */
  answer(connection: PeerConnection, frame: InboundFrame): string | undefined | Promise<string | undefined> {
    if (!this.options.turn || !this.authorizer?.restrictsJoins() || connection.rooms.size > 0) {
      return this.frameFor(connection.id);
    }
    const attempt = this.attemptOf(connection, frame);
    if (!attempt) return this.stunOnlyFrame;
    return this.authorized(attempt).then((allowed) => (allowed ? this.frameFor(connection.id) : this.stunOnlyFrame));
  }

  /**
   * The `iceServerConfig` frame with the TURN server when one is configured (credentials minted for
   * `connectionId`), else the STUN server; undefined when neither is configured. Checks no entitlement:
   * `answer` does.
   */
  frameFor(connectionId: string): string | undefined {
    const turn = this.options.turn;
    if (!turn?.secret) return this.fixedFrame;
    const { username, credential } = createTurnCredentials(turn.secret, connectionId, turn.ttlSeconds);
    return iceServerConfigFrame({
      stunServerUri: turn.uri,
      turnServerUsername: username,
      turnServerCredential: credential,
    });
  }

  /** The join attempt a frame with a token stands for, or undefined when it has no token or no valid streamId. */
  private attemptOf(connection: PeerConnection, frame: InboundFrame): JoinAttempt | undefined {
    const { token, streamId, mode } = frame;
    if (typeof token !== 'string' || token.length === 0) return undefined;
    if (typeof streamId !== 'string' || streamId.length > this.options.maxStreamIdLength || !STREAM_ID_PATTERN.test(streamId)) {
      return undefined;
    }
    return {
      streamId,
      token,
      mode: typeof mode === 'string' && mode.length > 0 ? mode.slice(0, MAX_MODE_LENGTH) : 'both',
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      userAgent: connection.userAgent,
      command: 'getIceServerConfig',
    };
  }

  private async authorized(attempt: JoinAttempt): Promise<boolean> {
    try {
      return Boolean(await (this.authorizer as JoinAuthorizer).authorize(attempt));
    } catch (error) {
      this.logger.error(`join authoriser failed (getIceServerConfig): ${logSafeMessage(error, 500)}`, logSafeStack(error, 500));
      return false;
    }
  }
}
