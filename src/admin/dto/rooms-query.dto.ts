import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { STREAM_ID_PATTERN } from '../../signaling/protocol/frame-validator';
import { PaginationQueryDto } from './page-query.dto';

export class RoomsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    description: 'Only rooms whose streamId starts with this (case-sensitive; the characters of a streamId).',
    example: 'clinic-',
    maxLength: 255,
  })
  @IsOptional()
  @Matches(STREAM_ID_PATTERN, { message: 'streamIdPrefix must match ^[A-Za-z0-9_.-]+$' })
  @MaxLength(255, { message: 'streamIdPrefix must be at most 255 characters' })
  @IsString({ message: 'streamIdPrefix must be a string' }) // decorators run bottom-up: the type check first
  streamIdPrefix?: string;
}
