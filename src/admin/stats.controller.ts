import { BadRequestException, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { HistoryQueryService } from '../persistence/history-query.service';
import { HistoryWriter } from '../persistence/history-writer.service';
import { ConnectionRegistry } from '../signaling/connections/connection-registry.service';
import { RoomRegistry } from '../signaling/rooms/room-registry';
import { SignalingStats } from '../signaling/signaling-stats.service';
import { AdminController } from './admin-controller.decorator';
import { ApiBadRequest, ApiHistoryErrors } from './api-error-responses';
import { StatsQueryDto } from './dto/stats-query.dto';
import { StatsDto } from './dto/stats.dto';
import { parseWindow } from './time-window';

const DAY_MS = 24 * 60 * 60 * 1000;

@AdminController('stats', 'stats')
export class StatsController {
  constructor(
    private readonly rooms: RoomRegistry,
    private readonly connections: ConnectionRegistry,
    private readonly stats: SignalingStats,
    private readonly history: HistoryQueryService,
    private readonly writer: HistoryWriter,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Totals',
    description: 'Live figures, history totals within a window (default: the last 24 h), and this node’s counters since start.',
  })
  @ApiOkResponse({ type: StatsDto })
  @ApiBadRequest('Invalid window.')
  @ApiHistoryErrors()
  async get(@Query() query: StatsQueryDto): Promise<StatsDto> {
    const window = parseWindow(query.from, query.to);
    const to = window.to ?? new Date();
    const from = window.from ?? new Date(to.getTime() - DAY_MS);
    if (from >= to) throw new BadRequestException('from must be before to');
    const totals = await this.history.totals({ from, to });
    const rooms = await this.rooms.listRooms();
    const relayed = this.stats.relayed;
    return {
      activeRooms: rooms.length,
      activeSessions: rooms.reduce((sum, room) => sum + room.members.length, 0),
      connectedPeers: this.connections.size,
      from: from.toISOString(),
      to: to.toISOString(),
      ...totals,
      messagesRelayed: {
        ...relayed,
        total: relayed.takeConfiguration + relayed.takeCandidate + relayed.peerMessageCommand,
      },
      errors: Object.fromEntries(this.stats.errors),
      unknownCommands: this.stats.unknownCommands,
      history: { queueDepth: this.writer.queueDepth, ...this.writer.stats },
    };
  }
}
