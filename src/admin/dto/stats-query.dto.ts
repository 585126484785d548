import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsTimestamp } from '../timestamp';
import { TIMESTAMP_FORMS } from './page-query.dto';

export class StatsQueryDto {
  @ApiPropertyOptional({ type: String, description: `Start of the window (inclusive). Default: 24 h before \`to\`. ${TIMESTAMP_FORMS}` })
  @IsOptional()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({ type: String, description: `End of the window (exclusive). Default: now. ${TIMESTAMP_FORMS}` })
  @IsOptional()
  @IsTimestamp()
  to?: string;
}
