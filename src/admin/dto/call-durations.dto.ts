import { ApiProperty } from '@nestjs/swagger';

export class DurationBinDto {
  @ApiProperty({ description: 'Shortest duration in the bin (inclusive), ms.', example: 60000 })
  minMs: number;

  @ApiProperty({ description: 'Longest duration in the bin (exclusive), ms; null for the last bin.', nullable: true, type: Number, example: 120000 })
  maxMs: number | null;

  @ApiProperty({ example: 12 })
  calls: number;
}

export class CallDurationsDto {
  @ApiProperty({ example: '2026-10-26T09:00:00.000Z' })
  from: string;

  @ApiProperty({ example: '2026-11-25T09:00:00.000Z' })
  to: string;

  @ApiProperty({ description: 'Calls that started within the window and have ended.', example: 40 })
  calls: number;

  @ApiProperty({ description: 'Their durations added up, ms (two peers in the room).', example: 5400000 })
  totalDurationMs: number;

  @ApiProperty({
    type: DurationBinDto,
    isArray: true,
    description: 'Under 10 s, 10–30 s, 30 s–1 min, 1–2, 2–5, 5–10, 10–30, 30–60 min, 1 h and longer: every bin, empty ones included.',
  })
  bins: DurationBinDto[];
}
