import { BadRequestException, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { HistoryQueryService } from '../persistence/history-query.service';
import { MAX_SERIES_BUCKETS, SERIES_BUCKET_MS } from '../persistence/history-series';
import { HistoryWriter } from '../persistence/history-writer.service';
import { ConnectionRegistry } from '../signaling/connections/connection-registry.service';
import { RoomRegistry } from '../signaling/rooms/room-registry';
import { SignalingStats } from '../signaling/signaling-stats.service';
import { AdminController } from './admin-controller.decorator';
import { ApiBadRequest, ApiHistoryErrors } from './api-error-responses';
import { CallDurationsDto } from './dto/call-durations.dto';
import { DurationsQueryDto } from './dto/durations-query.dto';
import { StatsQueryDto } from './dto/stats-query.dto';
import { StatsDto } from './dto/stats.dto';
import { TimeseriesQueryDto } from './dto/timeseries-query.dto';
import { TimeseriesDto } from './dto/timeseries.dto';
import { windowWithDefaults } from './time-window';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Buckets of a series when `from` is not given. */
const DEFAULT_BUCKETS = { hour: 24, day: 30 } as const;

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
    const { from, to } = windowWithDefaults(query.from, query.to, DAY_MS);
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

  @Get('timeseries')
  @ApiOperation({
    summary: 'Sessions, calls and leave reasons over time',
    description:
      'Per bucket of an hour or a day: sessions joined, calls started, and sessions ended by leave reason, from the ' +
      'history (all nodes sharing it). Buckets follow each other from `from`; the last ends at `to`. Empty buckets ' +
      `are included. At most ${MAX_SERIES_BUCKETS} buckets.`,
  })
  @ApiOkResponse({ type: TimeseriesDto })
  @ApiBadRequest('Invalid bucket or window, or too many buckets.')
  @ApiHistoryErrors()
  async timeseries(@Query() query: TimeseriesQueryDto): Promise<TimeseriesDto> {
    const bucket = query.bucket ?? 'hour';
    const bucketMs = SERIES_BUCKET_MS[bucket];
    const endOfBucket = new Date(Math.ceil(Date.now() / bucketMs) * bucketMs);
    const { from, to } = windowWithDefaults(query.from, query.to, DEFAULT_BUCKETS[bucket] * bucketMs, endOfBucket);
    if ((to.getTime() - from.getTime()) / bucketMs > MAX_SERIES_BUCKETS) {
      throw new BadRequestException(`the window holds more than ${MAX_SERIES_BUCKETS} buckets of a ${bucket}: narrow it or use a longer bucket`);
    }
    const points = await this.history.series(from, to, bucketMs);
    return {
      bucket,
      from: from.toISOString(),
      to: to.toISOString(),
      points: points.map((point) => ({ ...point, start: point.start.toISOString(), end: point.end.toISOString() })),
    };
  }

  @Get('durations')
  @ApiOperation({
    summary: 'Call durations',
    description:
      'How long calls lasted (two peers in the room), for calls that started within the window (default: the last ' +
      '30 days) and have ended, in fixed bins from under 10 s to an hour and longer.',
  })
  @ApiOkResponse({ type: CallDurationsDto })
  @ApiBadRequest('Invalid window.')
  @ApiHistoryErrors()
  async durations(@Query() query: DurationsQueryDto): Promise<CallDurationsDto> {
    const { from, to } = windowWithDefaults(query.from, query.to, 30 * DAY_MS);
    return { from: from.toISOString(), to: to.toISOString(), ...(await this.history.callDurations(from, to)) };
  }
}
