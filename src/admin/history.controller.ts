import { Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import { HistoryQueryService } from '../persistence/history-query.service';
import { AdminController } from './admin-controller.decorator';
import { ErrorResponseDto } from './dto/error-response.dto';
import { RoomHistoryQueryDto } from './dto/room-history-query.dto';
import { RoomRecordDto, RoomRecordPageDto } from './dto/room-record.dto';
import { parseWindow } from './time-window';

@AdminController('history', 'history')
@ApiServiceUnavailableResponse({ description: 'The history database cannot be read.', type: ErrorResponseDto })
export class HistoryController {
  constructor(private readonly history: HistoryQueryService) {}

  @Get('rooms')
  @ApiOperation({
    summary: 'Room history',
    description: 'Occupancies of streamIds (first join until empty), newest first, with call durations. The window filters on the opening time.',
  })
  @ApiOkResponse({ type: RoomRecordPageDto })
  @ApiBadRequestResponse({ description: 'Invalid filter (messages say which).', type: ErrorResponseDto })
  async rooms(@Query() query: RoomHistoryQueryDto): Promise<RoomRecordPageDto> {
    const { from, to } = parseWindow(query.from, query.to);
    const page = await this.history.listRooms({
      active: query.active,
      callStarted: query.callStarted,
      streamId: query.streamId,
      from,
      to,
      limit: query.limit,
      offset: query.offset,
    });
    return { total: page.total, limit: query.limit, offset: query.offset, items: page.items.map((row) => RoomRecordDto.from(row)) };
  }
}
