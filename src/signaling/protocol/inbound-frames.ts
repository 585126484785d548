/**
 * Inbound frames after parsing and validation. The gateway never reads a raw field twice:
 * validators turn a parsed frame into one of these, or throw a ProtocolError.
 */
export type SdpType = 'offer' | 'answer';

/** A parsed JSON object with a string `command` (what the message parser hands to handlers). */
export interface InboundFrame {
  readonly command: string;
  readonly [field: string]: unknown;
}

export interface JoinRequest {
  readonly streamId: string;
  /** `both` (default) or `play`, as sent by the SDKs; recorded, not enforced. */
  readonly mode: string;
  /** Ant Media's join token, for the authorisation hook. */
  readonly token?: string;
}

export interface ConfigurationRequest {
  readonly streamId: string;
  readonly type: SdpType;
  readonly sdp: string;
}

export interface CandidateRequest {
  readonly streamId: string;
  /** sdpMLineIndex. */
  readonly label: number;
  /** sdpMid; `String(label)` when the client sent none. */
  readonly id: string;
  /** May be empty (end of candidates). */
  readonly candidate: string;
}

export interface PeerMessageRequest {
  readonly streamId: string;
  readonly definition?: string;
  readonly data: unknown;
}
