import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsTimestamp } from '../timestamp';
import { IntegerQuery } from './query-transforms';

/** Largest `limit` of a list route. */
export const MAX_PAGE_SIZE = 500;
/** Largest `offset`: the largest integer a JSON number holds exactly (2^53 − 1); both databases take it. */
export const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

/** What `from`/`to` accept (readTimestamp), for the API documentation. */
export const TIMESTAMP_FORMS =
  'An RFC 3339 date-time with `Z` or an offset (`2026-11-25T09:00:00Z`, `2026-11-25T10:00:00.250+01:00`: send `+` as `%2B`), ' +
  'or a date `2026-11-25`, meaning 00:00 UTC that day. Fractions finer than a millisecond round up to the next millisecond.';

/** `limit` and `offset`, shared by the list endpoints. */
export class PaginationQueryDto {
  @ApiPropertyOptional({ description: 'Page size.', minimum: 1, maximum: MAX_PAGE_SIZE, default: 50, example: 50 })
  @IsOptional()
  @IntegerQuery()
  @Max(MAX_PAGE_SIZE)
  @Min(1)
  @IsInt() // decorators run bottom-up: the type check first
  limit: number = 50;

  @ApiPropertyOptional({ description: 'Rows to skip.', minimum: 0, maximum: MAX_OFFSET, default: 0, example: 0 })
  @IsOptional()
  @IntegerQuery()
  @Max(MAX_OFFSET)
  @Min(0)
  @IsInt()
  offset: number = 0;
}

/** Pagination and a time window, shared by the history list endpoints. */
export class PageQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ type: String, description: `Start of the window (inclusive). ${TIMESTAMP_FORMS}`, example: '2026-11-25T00:00:00Z' })
  @IsOptional()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({ type: String, description: `End of the window (exclusive). ${TIMESTAMP_FORMS}`, example: '2026-11-26' })
  @IsOptional()
  @IsTimestamp()
  to?: string;
}
