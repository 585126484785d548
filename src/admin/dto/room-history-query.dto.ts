import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { STREAM_ID_PATTERN } from '../../signaling/protocol/frame-validator';
import { PageQueryDto } from './page-query.dto';
import { BooleanQuery } from './query-transforms';

export class RoomHistoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only occupancies still open (true) or closed (false).' })
  @IsOptional()
  @BooleanQuery()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;

  @ApiPropertyOptional({ description: 'Only occupancies where a call started (two peers met), or none did.' })
  @IsOptional()
  @BooleanQuery()
  @IsBoolean({ message: 'callStarted must be true or false' })
  callStarted?: boolean;

  @ApiPropertyOptional({ description: 'Only this streamId.', example: 'room1' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @Matches(STREAM_ID_PATTERN, { message: 'streamId must match ^[A-Za-z0-9_.-]+$' })
  streamId?: string;
}
