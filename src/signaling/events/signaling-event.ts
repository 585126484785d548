import type { LeaveReason } from '../protocol/leave-reason.enum';
import type { RoomMember, RoomSnapshot } from '../rooms/room-member';

export enum SignalingEventType {
  RoomOpened = 'room.opened',
  PeerJoined = 'peer.joined',
  CallStarted = 'call.started',
  PeerLeft = 'peer.left',
  RoomClosed = 'room.closed',
}

export type SignalingEvent =
  | { readonly type: SignalingEventType.RoomOpened; readonly at: Date; readonly streamId: string; readonly room: RoomSnapshot }
  | { readonly type: SignalingEventType.PeerJoined; readonly at: Date; readonly member: RoomMember }
  | {
      readonly type: SignalingEventType.CallStarted;
      readonly at: Date;
      readonly streamId: string;
      readonly room: RoomSnapshot;
      /** The peer that was waiting: it received `start` and makes the offer. */
      readonly offerer: RoomMember;
      readonly answerer: RoomMember;
    }
  | {
      readonly type: SignalingEventType.PeerLeft;
      readonly at: Date;
      /** The membership that ended, with its final relay counters. */
      readonly member: RoomMember;
      readonly reason: LeaveReason;
    }
  | { readonly type: SignalingEventType.RoomClosed; readonly at: Date; readonly room: RoomSnapshot };

export type SignalingEventListener = (event: SignalingEvent) => void;
