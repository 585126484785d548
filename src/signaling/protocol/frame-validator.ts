import { ErrorDefinition } from './error-definition.enum';
import type {
  CandidateRequest,
  ConfigurationRequest,
  InboundFrame,
  JoinRequest,
  PeerMessageRequest,
} from './inbound-frames';
import { ProtocolError } from './protocol-error';

/** Ant Media's stream id validator. */
export const STREAM_ID_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const MAX_MODE_LENGTH = 32;
/**
 * Deepest nesting of arrays and objects in a peerMessageCommand's `data`. The relayed frame is
 * serialised again, recursively: a frame of a few KB nested thousands deep would overflow the stack.
 */
export const MAX_DATA_DEPTH = 100;

/**
 * Turns parsed frames into typed requests, in the contract's order of checks:
 * streamId presence (`noStreamNameSpecified`), streamId shape (`invalidStreamName`),
 * then the other fields (`invalidMessage`, with the streamId).
 */
export interface FrameLimits {
  maxStreamIdLength: number;
  maxSdpLength: number;
  maxCandidateLength: number;
}

export class FrameValidator {
  constructor(private readonly limits: FrameLimits) {}

  streamId(frame: InboundFrame): string {
    const streamId = frame.streamId;
    if (typeof streamId !== 'string' || streamId.length === 0) {
      throw new ProtocolError(ErrorDefinition.NoStreamNameSpecified);
    }
    if (streamId.length > this.limits.maxStreamIdLength || !STREAM_ID_PATTERN.test(streamId)) {
      throw new ProtocolError(ErrorDefinition.InvalidStreamName, streamId);
    }
    return streamId;
  }

  join(frame: InboundFrame): JoinRequest {
    const streamId = this.streamId(frame);
    const { mode, token } = frame;
    return {
      streamId,
      mode: typeof mode === 'string' && mode.length > 0 ? mode.slice(0, MAX_MODE_LENGTH) : 'both',
      token: typeof token === 'string' ? token : undefined,
    };
  }

  configuration(frame: InboundFrame): ConfigurationRequest {
    const streamId = this.streamId(frame);
    const { type, sdp } = frame;
    if (type !== 'offer' && type !== 'answer') {
      throw invalid(streamId, 'type must be "offer" or "answer"');
    }
    if (typeof sdp !== 'string') {
      throw invalid(streamId, 'sdp must be a string');
    }
    if (sdp.length > this.limits.maxSdpLength) {
      throw invalid(streamId, `sdp must be at most ${this.limits.maxSdpLength} characters`);
    }
    return { streamId, type, sdp };
  }

  candidate(frame: InboundFrame): CandidateRequest {
    const streamId = this.streamId(frame);
    const { label, id, candidate } = frame;
    if (typeof label !== 'number' || !Number.isInteger(label) || label < 0) {
      throw invalid(streamId, 'label must be a non-negative integer (sdpMLineIndex)');
    }
    if (typeof candidate !== 'string') {
      throw invalid(streamId, 'candidate must be a string');
    }
    if (candidate.length > this.limits.maxCandidateLength) {
      throw invalid(streamId, `candidate must be at most ${this.limits.maxCandidateLength} characters`);
    }
    if (id !== undefined && id !== null && typeof id !== 'string') {
      throw invalid(streamId, 'id must be a string (sdpMid)');
    }
    return { streamId, label, id: typeof id === 'string' ? id : String(label), candidate };
  }

  peerMessage(frame: InboundFrame): PeerMessageRequest {
    const streamId = this.streamId(frame);
    const { definition, data } = frame;
    if (definition !== undefined && typeof definition !== 'string') {
      throw invalid(streamId, 'definition must be a string');
    }
    if (data !== null && typeof data === 'object' && nestedDeeperThan(data, MAX_DATA_DEPTH)) {
      throw invalid(streamId, `data must not be nested more than ${MAX_DATA_DEPTH} levels deep`);
    }
    return { streamId, definition, data };
  }
}

/** Whether arrays and objects in `value` nest more than `limit` levels deep. Iterative, stops at the first one too deep. */
function nestedDeeperThan(value: object, limit: number): boolean {
  const stack: Array<[object, number]> = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [container, depth] = next;
    if (depth > limit) return true;
    for (const child of Object.values(container)) {
      if (child !== null && typeof child === 'object') stack.push([child as object, depth + 1]);
    }
  }
  return false;
}

function invalid(streamId: string, detail: string): ProtocolError {
  return new ProtocolError(ErrorDefinition.InvalidMessage, streamId, detail);
}
