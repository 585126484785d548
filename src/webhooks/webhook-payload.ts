import { SignalingEventType, type SignalingEvent } from '../signaling/events/signaling-event';
import type { LeaveReason } from '../signaling/protocol/leave-reason.enum';

/**
 * What a receiver gets: identifiers, times and counters of one lifecycle event. Never SDPs,
 * candidates, peer messages, tokens, remote addresses or user agents.
 */
interface WebhookPayloadBase {
  /** Unique id of the event (UUID); the same on every retry of it, and in X-Webhook-Id. */
  id: string;
  /** Per node, increasing from 1 since the node started: deliveries can arrive out of order. */
  sequence: number;
  /** ISO 8601. */
  occurredAt: string;
  streamId: string;
  /** The occupancy of the streamId (first join until empty), as in the admin API's room history. */
  roomId: string;
}

export interface RoomOpenedPayload extends WebhookPayloadBase {
  type: SignalingEventType.RoomOpened;
}

export interface PeerJoinedPayload extends WebhookPayloadBase {
  type: SignalingEventType.PeerJoined;
  /** The peer session (admin API `/sessions/{id}`). */
  sessionId: string;
  connectionId: string;
  mode: string;
}

export interface CallStartedPayload extends WebhookPayloadBase {
  type: SignalingEventType.CallStarted;
  /** The peer that was waiting: it received `start` and makes the offer. */
  offererSessionId: string;
  answererSessionId: string;
}

export interface PeerLeftPayload extends WebhookPayloadBase {
  type: SignalingEventType.PeerLeft;
  sessionId: string;
  connectionId: string;
  reason: LeaveReason;
  joinedAt: string;
  durationMs: number;
  /** Frames this peer sent that were relayed to the other, and their UTF-8 size. */
  messagesRelayed: number;
  bytesRelayed: number;
}

export interface RoomClosedPayload extends WebhookPayloadBase {
  type: SignalingEventType.RoomClosed;
  openedAt: string;
  callStartedAt: string | null;
  /** Milliseconds both peers were present. */
  callDurationMs: number;
  peakPeers: number;
}

export type WebhookPayload =
  | RoomOpenedPayload
  | PeerJoinedPayload
  | CallStartedPayload
  | PeerLeftPayload
  | RoomClosedPayload;

/** The payload of a lifecycle event: built from chosen fields, never by copying the event. */
export function toWebhookPayload(event: SignalingEvent, id: string, sequence: number): WebhookPayload {
  const occurredAt = event.at.toISOString();
  switch (event.type) {
    case SignalingEventType.RoomOpened:
      return { id, type: event.type, sequence, occurredAt, streamId: event.streamId, roomId: event.room.id };
    case SignalingEventType.PeerJoined: {
      const { member } = event;
      return {
        id,
        type: event.type,
        sequence,
        occurredAt,
        streamId: member.streamId,
        roomId: member.roomId,
        sessionId: member.sessionId,
        connectionId: member.connectionId,
        mode: member.mode,
      };
    }
    case SignalingEventType.CallStarted:
      return {
        id,
        type: event.type,
        sequence,
        occurredAt,
        streamId: event.streamId,
        roomId: event.room.id,
        offererSessionId: event.offerer.sessionId,
        answererSessionId: event.answerer.sessionId,
      };
    case SignalingEventType.PeerLeft: {
      const { member } = event;
      return {
        id,
        type: event.type,
        sequence,
        occurredAt,
        streamId: member.streamId,
        roomId: member.roomId,
        sessionId: member.sessionId,
        connectionId: member.connectionId,
        reason: event.reason,
        joinedAt: member.joinedAt.toISOString(),
        durationMs: Math.max(0, event.at.getTime() - member.joinedAt.getTime()),
        messagesRelayed: member.messagesRelayed,
        bytesRelayed: member.bytesRelayed,
      };
    }
    case SignalingEventType.RoomClosed: {
      const { room } = event;
      return {
        id,
        type: event.type,
        sequence,
        occurredAt,
        streamId: room.streamId,
        roomId: room.id,
        openedAt: room.openedAt.toISOString(),
        callStartedAt: room.callStartedAt?.toISOString() ?? null,
        callDurationMs: room.callDurationMs,
        peakPeers: room.peakPeers,
      };
    }
  }
}
