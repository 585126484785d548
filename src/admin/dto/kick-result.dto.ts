import { ApiProperty } from '@nestjs/swagger';

export class KickSessionResultDto {
  @ApiProperty({ example: '6f1c2c55-4ad5-4c51-9a0a-2b8f3d0f7e21' })
  sessionId: string;

  @ApiProperty({ example: 'room1' })
  streamId: string;

  @ApiProperty({ description: 'The socket was closed too (`?disconnect=true`).', example: false })
  disconnected: boolean;
}

export class KickRoomResultDto {
  @ApiProperty({ example: 'room1' })
  streamId: string;

  @ApiProperty({ description: 'Peers removed.', example: 2 })
  removed: number;
}
