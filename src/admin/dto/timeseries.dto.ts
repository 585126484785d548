import { ApiProperty } from '@nestjs/swagger';
import { SERIES_BUCKET_MS, type SeriesBucket } from '../../persistence/history-series';

export class TimeseriesPointDto {
  @ApiProperty({ description: 'Start of the bucket (inclusive).', example: '2026-11-25T08:00:00.000Z' })
  start: string;

  @ApiProperty({ description: 'End of the bucket (exclusive); the last bucket ends at `to`.', example: '2026-11-25T09:00:00.000Z' })
  end: string;

  @ApiProperty({ description: 'Sessions that joined in the bucket.', example: 14 })
  sessions: number;

  @ApiProperty({ description: 'Calls (two peers met) that started in the bucket.', example: 6 })
  calls: number;

  @ApiProperty({
    description: 'Sessions that ended in the bucket, by leave reason (reasons with none are left out).',
    example: { leave: 9, disconnect: 2, timeout: 1 },
  })
  leaves: Record<string, number>;
}

export class TimeseriesDto {
  @ApiProperty({ enum: Object.keys(SERIES_BUCKET_MS), example: 'hour' })
  bucket: SeriesBucket;

  @ApiProperty({ example: '2026-11-24T09:00:00.000Z' })
  from: string;

  @ApiProperty({ example: '2026-11-25T09:00:00.000Z' })
  to: string;

  @ApiProperty({ type: TimeseriesPointDto, isArray: true, description: 'Every bucket from `from` to `to`, empty ones included.' })
  points: TimeseriesPointDto[];
}
