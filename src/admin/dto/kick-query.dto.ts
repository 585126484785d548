import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { BooleanQuery } from './query-transforms';

export class KickQueryDto {
  @ApiPropertyOptional({
    description: "Also close the peer's WebSocket (all its rooms end with reason `kicked`, close code 4001).",
    default: false,
  })
  @IsOptional()
  @BooleanQuery()
  @IsBoolean({ message: 'disconnect must be true or false' })
  disconnect?: boolean;
}
