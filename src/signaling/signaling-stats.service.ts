import { Injectable } from '@nestjs/common';
import type { ErrorDefinition } from './protocol/error-definition.enum';
import type { LeaveReason } from './protocol/leave-reason.enum';

/** Counters of this node since start: plain numbers, cheap enough for the hot path. */
@Injectable()
export class SignalingStats {
  readonly relayed = { takeConfiguration: 0, takeCandidate: 0, peerMessageCommand: 0 };
  /** Well-formed frames with a command the server does not serve (ignored). */
  unknownCommands = 0;
  readonly errors = new Map<ErrorDefinition, number>();
  /** Connections of this node that ended, by the reason of their clean-up. */
  readonly closedConnections = new Map<LeaveReason, number>();
  /**
   * Set by a metrics exporter to receive each relayed frame's latency in seconds: from the start of
   * its gateway handler (after Nest's dispatch) to the hand-off to the recipient's socket or relay.
   * Unset, the hot path takes no timestamps.
   */
  relayLatencyObserver: ((seconds: number) => void) | undefined;

  countError(definition: ErrorDefinition): void {
    this.errors.set(definition, (this.errors.get(definition) ?? 0) + 1);
  }

  countClosed(reason: LeaveReason): void {
    this.closedConnections.set(reason, (this.closedConnections.get(reason) ?? 0) + 1);
  }
}
