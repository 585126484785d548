import { ApiProperty } from '@nestjs/swagger';
import { PageDto } from './page.dto';
import type { RoomRecord } from '../../persistence/entities/room-record.entity';

export class RoomRecordDto {
  @ApiProperty({ example: '9e7d8c1a-5b3e-4f5a-8d2e-1c0b9a8f7e6d' })
  id: string;

  @ApiProperty({ example: 'room1' })
  streamId: string;

  @ApiProperty({ example: 'signaling-1' })
  nodeId: string;

  @ApiProperty({ example: '2026-11-25T09:00:00.000Z' })
  openedAt: string;

  @ApiProperty({ nullable: true, type: String, description: 'Null while the room is open.', example: '2026-11-25T09:12:00.000Z' })
  closedAt: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    enum: ['empty', 'server_restart'],
    description: '`empty`: the last peer left; `server_restart`: closed at boot after a crash.',
  })
  closeReason: string | null;

  @ApiProperty({ example: 2 })
  peakPeers: number;

  @ApiProperty({ example: true, description: 'A second peer joined (a `start` was sent).' })
  callStarted: boolean;

  @ApiProperty({ nullable: true, type: String, example: '2026-11-25T09:00:05.000Z' })
  callStartedAt: string | null;

  @ApiProperty({ description: 'Milliseconds both peers were present.', example: 715000 })
  callDurationMs: number;

  static from(row: RoomRecord): RoomRecordDto {
    return {
      id: row.id,
      streamId: row.streamId,
      nodeId: row.nodeId,
      openedAt: row.openedAt.toISOString(),
      closedAt: row.closedAt?.toISOString() ?? null,
      closeReason: row.closeReason,
      peakPeers: row.peakPeers,
      callStarted: row.callStartedAt !== null,
      callStartedAt: row.callStartedAt?.toISOString() ?? null,
      callDurationMs: row.callDurationMs,
    };
  }
}

export class RoomRecordPageDto extends PageDto {
  @ApiProperty({ type: [RoomRecordDto] })
  items: RoomRecordDto[];
}
