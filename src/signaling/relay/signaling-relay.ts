import type { RoomMember } from '../rooms/room-member';
import type { KickOptions } from '../kick-options.interface';

/** Runs an operator's forced leave of a session on this node; resolves whether it removed it. */
export type KickHandler = (sessionId: string, options: KickOptions) => Promise<boolean>;

/**
 * Runs the liveness probe of a session of this node for a contested `join` on another node; resolves
 * true when the session was unresponsive and has been removed (its room has a free place).
 */
export type ProbeHandler = (sessionId: string) => Promise<boolean>;

/**
 * Delivers a serialised frame to a connection, wherever it is. The in-memory default reaches the
 * sockets of this node; a shared implementation (Redis) also reaches other nodes'.
 * Frames to one connection must arrive in the order `deliver`/`deliverTo` was called.
 */
export abstract class SignalingRelay {
  /** Returns false when the connection is not known (closed, or never existed). */
  abstract deliver(connectionId: string, frame: string): boolean;

  /**
   * Delivers a frame to a member of a room as that member: the relay hot path (`start`, `stop` and
   * every relayed frame go through it). A relay that crosses nodes drops the frame at the receiving
   * node when that membership has ended meanwhile. Default: `deliver(member.connectionId, frame)`.
   */
  deliverTo(member: RoomMember, frame: string): boolean {
    return this.deliver(member.connectionId, frame);
  }

  /**
   * An operator's forced leave of a member whose socket is on another node: asks that node to run it
   * and resolves with its answer. Undefined (the default), or a promise of undefined, when the caller
   * is to run the kick itself: the member is on this node, the relay reaches no other node, or the
   * member's node has stopped.
   */
  forwardKick(_member: RoomMember, _options: KickOptions): Promise<boolean | undefined> | undefined {
    return undefined;
  }

  /** Called once by SignalingService: how this node runs kicks that other nodes forward to it. */
  handleKicks(_kick: KickHandler): void {
    // a local relay receives no kicks from elsewhere
  }

  /**
   * The liveness probe of a member whose socket is on another node (a `join` found its room full):
   * asks that node to probe it and resolves true when that node removed it as unresponsive, false when
   * it is alive. Undefined (the default), or a promise of undefined, when the caller is to treat the
   * membership as dead and remove it itself: the member is on this node without a socket, the relay
   * reaches no other node, or the member's node has stopped (its lease lapsed).
   */
  forwardProbe(_member: RoomMember): Promise<boolean | undefined> | undefined {
    return undefined;
  }

  /** Called once by SignalingService: how this node runs probes that other nodes forward to it. */
  handleProbes(_probe: ProbeHandler): void {
    // a local relay receives no probes from elsewhere
  }
}
