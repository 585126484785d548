import { Inject, Injectable, Logger } from '@nestjs/common';
import { iceServerConfigFrame } from '../protocol/outbound-messages';
import { SIGNALING_OPTIONS } from '../signaling.module-definition';
import type { ResolvedSignalingOptions } from '../signaling-options.interface';
import { createTurnCredentials } from './turn-credentials';

/**
 * Answers `getIceServerConfig`. The SDKs read one URI (`stunServerUri`): a configured TURN server
 * is sent there with its credentials (the SDK then adds a public STUN server itself), otherwise
 * the STUN server. With nothing configured there is no answer, as the contract says.
 *
 * The JS SDK (2.16) uses the URI only when it starts with `turn:` or `stun:`: a `turns:` or `stuns:`
 * URI is ignored by it (it keeps its default ICE servers), so one is warned about at startup. The
 * mobile SDKs never send `getIceServerConfig`: their apps configure ICE servers themselves.
 */
@Injectable()
export class IceServerConfigService {
  /** Frame built once when the answer does not change per request. */
  private readonly fixedFrame: string | undefined;

  constructor(@Inject(SIGNALING_OPTIONS) private readonly options: ResolvedSignalingOptions) {
    const { turn, stunServerUri } = options;
    const sent = turn ? turn.uri : stunServerUri;
    if (sent && /^(turns|stuns):/i.test(sent)) {
      new Logger(IceServerConfigService.name).warn(
        `${turn ? 'turn.uri' : 'stunServerUri'} "${sent}" starts with "${sent.split(':')[0]}:": the Ant Media JS SDK ignores such a URI ` +
          `in iceServerConfig and keeps its default ICE servers (it reads only "turn:" and "stun:"); mobile SDKs never ask`,
      );
    }
    if (turn && !turn.secret) {
      this.fixedFrame = iceServerConfigFrame({
        stunServerUri: turn.uri,
        turnServerUsername: turn.username ?? '',
        turnServerCredential: turn.credential ?? '',
      });
    } else if (!turn && stunServerUri) {
      this.fixedFrame = iceServerConfigFrame({ stunServerUri });
    }
  }

  /** The `iceServerConfig` frame for a connection, or undefined when none is configured. */
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
}
