import { ApiProperty } from '@nestjs/swagger';
import { PageDto } from './page.dto';
import type { PeerSession } from '../../persistence/entities/peer-session.entity';
import { SESSION_END_REASONS } from '../../persistence/entities/session-end-reason';

export class PeerSessionDto {
  @ApiProperty({ example: '6f1c2c55-4ad5-4c51-9a0a-2b8f3d0f7e21' })
  id: string;

  @ApiProperty({ example: 'room1' })
  streamId: string;

  @ApiProperty({ description: 'Room occupancy (GET /history/rooms).', example: '9e7d8c1a-5b3e-4f5a-8d2e-1c0b9a8f7e6d' })
  roomId: string;

  @ApiProperty({ example: '0b0e8a8e-2f7a-45b8-9f3c-8f43a4a2c7de' })
  connectionId: string;

  @ApiProperty({ description: 'Node that served the session.', example: 'signaling-1' })
  nodeId: string;

  @ApiProperty({ example: '203.0.113.7' })
  remoteAddress: string;

  @ApiProperty({ example: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0' })
  userAgent: string;

  @ApiProperty({ example: 'both' })
  mode: string;

  @ApiProperty({ example: '2026-11-25T09:00:00.000Z' })
  joinedAt: string;

  @ApiProperty({ nullable: true, type: String, description: 'Null while the session is active.', example: '2026-11-25T09:12:00.000Z' })
  leftAt: string | null;

  @ApiProperty({ nullable: true, type: String, enum: SESSION_END_REASONS, example: 'leave' })
  leaveReason: string | null;

  @ApiProperty({ example: true })
  active: boolean;

  @ApiProperty({ example: 14 })
  messagesRelayed: number;

  @ApiProperty({ example: 9321 })
  bytesRelayed: number;

  static from(row: PeerSession): PeerSessionDto {
    return {
      id: row.id,
      streamId: row.streamId,
      roomId: row.roomId,
      connectionId: row.connectionId,
      nodeId: row.nodeId,
      remoteAddress: row.remoteAddress,
      userAgent: row.userAgent,
      mode: row.mode,
      joinedAt: row.joinedAt.toISOString(),
      leftAt: row.leftAt?.toISOString() ?? null,
      leaveReason: row.leaveReason,
      active: row.leftAt === null,
      messagesRelayed: row.messagesRelayed,
      bytesRelayed: row.bytesRelayed,
    };
  }
}

export class PeerSessionPageDto extends PageDto {
  @ApiProperty({ type: [PeerSessionDto] })
  items: PeerSessionDto[];
}
