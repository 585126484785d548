import { ApiProperty } from '@nestjs/swagger';

/** Fields of every paginated response. */
export abstract class PageDto {
  @ApiProperty({ description: 'Rows matching the filters (all pages).', example: 1 })
  total: number;

  @ApiProperty({ example: 50 })
  limit: number;

  @ApiProperty({ example: 0 })
  offset: number;
}
