import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { MAX_SERIES_BUCKETS, SERIES_BUCKET_MS, type SeriesBucket } from '../../persistence/history-series';
import { IsTimestamp } from '../timestamp';
import { TIMESTAMP_FORMS } from './page-query.dto';

const BUCKETS = Object.keys(SERIES_BUCKET_MS) as SeriesBucket[];

export class TimeseriesQueryDto {
  @ApiPropertyOptional({ enum: BUCKETS, default: 'hour', description: 'Length of each bucket.' })
  @IsOptional()
  @IsIn(BUCKETS, { message: `bucket must be one of: ${BUCKETS.join(', ')}` })
  bucket?: SeriesBucket;

  @ApiPropertyOptional({
    type: String,
    description:
      `Start of the first bucket (inclusive); buckets follow each other from here. Default: 24 buckets (hour) or 30 ` +
      `(day) before \`to\`. At most ${MAX_SERIES_BUCKETS} buckets. ${TIMESTAMP_FORMS}`,
  })
  @IsOptional()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({
    type: String,
    description: `End of the last bucket (exclusive). Default: the end of the current UTC hour (hour) or day (day). ${TIMESTAMP_FORMS}`,
  })
  @IsOptional()
  @IsTimestamp()
  to?: string;
}
