import { ApiProperty } from '@nestjs/swagger';

export class RelayedMessagesDto {
  @ApiProperty({ example: 40 })
  takeConfiguration: number;

  @ApiProperty({ example: 800 })
  takeCandidate: number;

  @ApiProperty({ example: 3 })
  peerMessageCommand: number;

  @ApiProperty({ example: 843 })
  total: number;
}

export class HistoryQueueDto {
  @ApiProperty({ description: 'Rows waiting to be written.', example: 0 })
  queueDepth: number;

  @ApiProperty({ example: 1200 })
  rowsWritten: number;

  @ApiProperty({ example: 0 })
  failedFlushes: number;

  @ApiProperty({ description: 'Updates dropped because the queue was full.', example: 0 })
  droppedRows: number;
}

export class StatsDto {
  @ApiProperty({ description: 'Rooms with at least one peer now.', example: 3 })
  activeRooms: number;

  @ApiProperty({ description: 'Peers in rooms now (active sessions).', example: 5 })
  activeSessions: number;

  @ApiProperty({ description: 'WebSocket connections to this node now.', example: 6 })
  connectedPeers: number;

  @ApiProperty({ example: '2026-11-24T09:00:00.000Z' })
  from: string;

  @ApiProperty({ example: '2026-11-25T09:00:00.000Z' })
  to: string;

  @ApiProperty({ description: 'Sessions that joined within the window.', example: 120 })
  sessions: number;

  @ApiProperty({ description: 'Calls (two peers met) that started within the window.', example: 55 })
  calls: number;

  @ApiProperty({ description: 'Room occupancies opened within the window.', example: 61 })
  rooms: number;

  @ApiProperty({ description: 'Frames relayed by this node since it started.', type: RelayedMessagesDto })
  messagesRelayed: RelayedMessagesDto;

  @ApiProperty({ description: 'Error frames sent by this node since it started, by definition.', example: { NoSpaceForNewPeer: 2 } })
  errors: Record<string, number>;

  @ApiProperty({ description: 'Well-formed frames with a command the server does not serve (ignored).', example: 0 })
  unknownCommands: number;

  @ApiProperty({ type: HistoryQueueDto })
  history: HistoryQueueDto;
}
