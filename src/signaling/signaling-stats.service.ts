import { Injectable } from '@nestjs/common';
import type { ErrorDefinition } from './protocol/error-definition.enum';

/** Counters of this node since start: plain numbers, cheap enough for the hot path. */
@Injectable()
export class SignalingStats {
  readonly relayed = { takeConfiguration: 0, takeCandidate: 0, peerMessageCommand: 0 };
  /** Well-formed frames with a command the server does not serve (ignored). */
  unknownCommands = 0;
  readonly errors = new Map<ErrorDefinition, number>();

  countError(definition: ErrorDefinition): void {
    this.errors.set(definition, (this.errors.get(definition) ?? 0) + 1);
  }
}
