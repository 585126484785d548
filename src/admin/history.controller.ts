import { Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { HistoryQueryService } from '../persistence/history-query.service';
import { AdminController } from './admin-controller.decorator';
import { ApiBadRequest, ApiHistoryErrors } from './api-error-responses';
import { RoomHistoryQueryDto } from './dto/room-history-query.dto';
import { RoomRecordDto, RoomRecordPageDto } from './dto/room-record.dto';
import { parseWindow } from './time-window';

@AdminController('history', 'history')
export class HistoryController {
  constructor(private readonly history: HistoryQueryService) {}

  @Get('rooms')
  @ApiOperation({
    summary: 'Room history',
    description: 'Occupancies of streamIds (first join until empty), newest first, with call durations. The window filters on the opening time.',
  })
  @ApiOkResponse({ type: RoomRecordPageDto })
  @ApiBadRequest('Invalid filter (messages say which).')
  @ApiHistoryErrors()
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
