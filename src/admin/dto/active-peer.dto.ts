import { ApiProperty } from '@nestjs/swagger';
import type { RoomMember } from '../../signaling/rooms/room-member';

export class ActivePeerDto {
  @ApiProperty({ description: 'Peer session id (use it with /sessions/{id}).', example: '6f1c2c55-4ad5-4c51-9a0a-2b8f3d0f7e21' })
  sessionId: string;

  @ApiProperty({ description: 'WebSocket connection id.', example: '0b0e8a8e-2f7a-45b8-9f3c-8f43a4a2c7de' })
  connectionId: string;

  @ApiProperty({ example: '203.0.113.7' })
  remoteAddress: string;

  @ApiProperty({ example: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0' })
  userAgent: string;

  @ApiProperty({ description: 'Join mode the client sent.', example: 'both' })
  mode: string;

  @ApiProperty({ example: '2026-11-25T09:00:00.000Z' })
  joinedAt: string;

  @ApiProperty({ description: 'Frames relayed from this peer.', example: 14 })
  messagesRelayed: number;

  @ApiProperty({ description: 'UTF-8 bytes of the frames relayed from this peer.', example: 9321 })
  bytesRelayed: number;

  static from(member: RoomMember): ActivePeerDto {
    return {
      sessionId: member.sessionId,
      connectionId: member.connectionId,
      remoteAddress: member.remoteAddress,
      userAgent: member.userAgent,
      mode: member.mode,
      joinedAt: member.joinedAt.toISOString(),
      messagesRelayed: member.messagesRelayed,
      bytesRelayed: member.bytesRelayed,
    };
  }
}
