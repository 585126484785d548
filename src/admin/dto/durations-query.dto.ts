import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsTimestamp } from '../timestamp';
import { TIMESTAMP_FORMS } from './page-query.dto';

export class DurationsQueryDto {
  @ApiPropertyOptional({ type: String, description: `Calls started at or after this time. Default: 30 days before \`to\`. ${TIMESTAMP_FORMS}` })
  @IsOptional()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({ type: String, description: `Calls started before this time. Default: now. ${TIMESTAMP_FORMS}` })
  @IsOptional()
  @IsTimestamp()
  to?: string;
}
