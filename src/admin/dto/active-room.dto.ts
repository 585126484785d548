import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { RoomSnapshot } from '../../signaling/rooms/room-member';
import { ActivePeerDto } from './active-peer.dto';
import { PageDto } from './page.dto';

export class ActiveRoomDto {
  @ApiProperty({ example: 'room1' })
  streamId: string;

  @ApiProperty({ description: 'Id of this occupancy (the room record in /history/rooms).', example: '9e7d8c1a-5b3e-4f5a-8d2e-1c0b9a8f7e6d' })
  roomId: string;

  @ApiProperty({ example: '2026-11-25T09:00:00.000Z' })
  openedAt: string;

  @ApiPropertyOptional({ description: 'When the second peer first joined.', example: '2026-11-25T09:00:05.000Z' })
  callStartedAt?: string;

  @ApiProperty({ description: 'Milliseconds both peers have been present.', example: 42000 })
  callDurationMs: number;

  @ApiProperty({ example: 2 })
  peakPeers: number;

  @ApiProperty({ type: [ActivePeerDto] })
  peers: ActivePeerDto[];

  static from(room: RoomSnapshot): ActiveRoomDto {
    return {
      streamId: room.streamId,
      roomId: room.id,
      openedAt: room.openedAt.toISOString(),
      callStartedAt: room.callStartedAt?.toISOString(),
      callDurationMs: room.callDurationMs,
      peakPeers: room.peakPeers,
      peers: room.members.map((m) => ActivePeerDto.from(m)),
    };
  }
}

export class ActiveRoomPageDto extends PageDto {
  @ApiProperty({ type: [ActiveRoomDto], description: 'Oldest first: by openedAt, then streamId.' })
  items: ActiveRoomDto[];
}
