import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { IntegerQuery } from './query-transforms';

export const MAX_PAGE_SIZE = 500;

/** Pagination and a time window, shared by the list endpoints. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Page size.', minimum: 1, maximum: MAX_PAGE_SIZE, default: 50, example: 50 })
  @IsOptional()
  @IntegerQuery()
  @Max(MAX_PAGE_SIZE)
  @Min(1)
  @IsInt() // decorators run bottom-up: the type check first
  limit: number = 50;

  @ApiPropertyOptional({ description: 'Rows to skip.', minimum: 0, default: 0, example: 0 })
  @IsOptional()
  @IntegerQuery()
  @Min(0)
  @IsInt()
  offset: number = 0;

  @ApiPropertyOptional({ description: 'Start of the window (inclusive), ISO 8601.', example: '2026-11-25T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ description: 'End of the window (exclusive), ISO 8601.', example: '2026-11-26T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;
}
