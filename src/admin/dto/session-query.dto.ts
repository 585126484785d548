import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { SESSION_END_REASONS } from '../../persistence/entities/session-end-reason';
import { STREAM_ID_PATTERN } from '../../signaling/protocol/frame-validator';
import { PageQueryDto } from './page-query.dto';
import { BooleanQuery } from './query-transforms';

export class SessionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only sessions still in a room (true) or ended (false).', example: true })
  @IsOptional()
  @BooleanQuery()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;

  @ApiPropertyOptional({ description: 'Only this room.', example: 'room1' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @Matches(STREAM_ID_PATTERN, { message: 'streamId must match ^[A-Za-z0-9_.-]+$' })
  streamId?: string;

  @ApiPropertyOptional({ description: 'Only sessions that ended for this reason.', enum: SESSION_END_REASONS })
  @IsOptional()
  @IsIn(SESSION_END_REASONS, { message: `reason must be one of: ${SESSION_END_REASONS.join(', ')}` })
  reason?: string;
}
