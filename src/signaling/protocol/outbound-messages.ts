import { OutboundCommand } from './signaling-command.enum';
import { ErrorDefinition } from './error-definition.enum';
import { NotificationDefinition } from './notification-definition.enum';
import type { SdpType } from './inbound-frames';

/**
 * Builders for every frame the server sends: the single source of truth for their shapes.
 * Each returns the serialised JSON text, ready for `socket.send`.
 */
export const PONG_FRAME = JSON.stringify({ command: OutboundCommand.Pong });

export function startFrame(streamId: string): string {
  return JSON.stringify({ command: OutboundCommand.Start, streamId });
}

export function stopFrame(streamId: string): string {
  return JSON.stringify({ command: OutboundCommand.Stop, streamId });
}

export function joinedFrame(streamId: string): string {
  return JSON.stringify({
    command: OutboundCommand.Notification,
    definition: NotificationDefinition.Joined,
    streamId,
  });
}

/** `reason` is added only when an operator removed the peer (a field the SDKs ignore). */
export function leavedFrame(streamId: string, reason?: string): string {
  return JSON.stringify({
    command: OutboundCommand.Notification,
    definition: NotificationDefinition.Leaved,
    streamId,
    reason,
  });
}

export function errorFrame(definition: ErrorDefinition, streamId?: string, message?: string): string {
  return JSON.stringify({ command: OutboundCommand.Error, definition, streamId, message });
}

export function takeConfigurationFrame(streamId: string, type: SdpType, sdp: string): string {
  return JSON.stringify({ command: OutboundCommand.TakeConfiguration, streamId, type, sdp, idMapping: {} });
}

export function takeCandidateFrame(streamId: string, label: number, id: string, candidate: string): string {
  return JSON.stringify({ command: OutboundCommand.TakeCandidate, streamId, label, id, candidate });
}

export function peerMessageFrame(streamId: string, definition: string | undefined, data: unknown): string {
  return JSON.stringify({ command: OutboundCommand.PeerMessageCommand, streamId, definition, data });
}

export interface IceServerConfigFields {
  stunServerUri: string;
  turnServerUsername?: string;
  turnServerCredential?: string;
}

export function iceServerConfigFrame(fields: IceServerConfigFields): string {
  return JSON.stringify({
    command: OutboundCommand.IceServerConfig,
    stunServerUri: fields.stunServerUri,
    turnServerUsername: fields.turnServerUsername,
    turnServerCredential: fields.turnServerCredential,
  });
}
