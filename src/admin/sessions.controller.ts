import { Delete, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { HistoryQueryService } from '../persistence/history-query.service';
import { RoomRegistry } from '../signaling/rooms/room-registry';
import { SignalingService } from '../signaling/signaling.service';
import { AdminController } from './admin-controller.decorator';
import { ApiBadRequest, ApiHistoryErrors, ApiNotFound } from './api-error-responses';
import { KickQueryDto } from './dto/kick-query.dto';
import { KickSessionResultDto } from './dto/kick-result.dto';
import { PeerSessionDto, PeerSessionPageDto } from './dto/peer-session.dto';
import { SessionQueryDto } from './dto/session-query.dto';
import { parseWindow } from './time-window';

const ID_PARAM = { name: 'id', format: 'uuid', description: 'Peer session id.', example: '6f1c2c55-4ad5-4c51-9a0a-2b8f3d0f7e21' };
const uuidPipe = new ParseUUIDPipe({ version: '4' });

@AdminController('sessions', 'sessions')
export class SessionsController {
  constructor(
    private readonly history: HistoryQueryService,
    private readonly rooms: RoomRegistry,
    private readonly signaling: SignalingService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Peer sessions',
    description: 'Active and past memberships, newest first. The window filters on the join time.',
  })
  @ApiOkResponse({ type: PeerSessionPageDto })
  @ApiBadRequest('Invalid filter (messages say which).')
  @ApiHistoryErrors()
  async list(@Query() query: SessionQueryDto): Promise<PeerSessionPageDto> {
    const { from, to } = parseWindow(query.from, query.to);
    const page = await this.history.listSessions({
      active: query.active,
      streamId: query.streamId,
      reason: query.reason,
      from,
      to,
      limit: query.limit,
      offset: query.offset,
    });
    return { total: page.total, limit: query.limit, offset: query.offset, items: page.items.map((row) => PeerSessionDto.from(row)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One peer session' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: PeerSessionDto })
  @ApiNotFound('Unknown session.')
  @ApiBadRequest('Not a UUID.')
  @ApiHistoryErrors()
  async get(@Param('id', uuidPipe) id: string): Promise<PeerSessionDto> {
    const row = await this.history.getSession(id);
    if (!row) throw new NotFoundException(`session ${id} not found`);
    return PeerSessionDto.from(row);
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Forced leave of one peer',
    description:
      'The peer receives `stop` then `notification` `leaved` (with `reason: "kicked"`); the other peer receives `stop`; ' +
      'history records `kicked`. With `disconnect=true` the socket is closed too (code 4001).',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: KickSessionResultDto })
  @ApiNotFound('Unknown session, or it already ended.')
  @ApiBadRequest('Not a UUID, or invalid query.')
  async kick(@Param('id', uuidPipe) id: string, @Query() query: KickQueryDto): Promise<KickSessionResultDto> {
    const member = await this.rooms.findSession(id);
    if (!member || !(await this.signaling.kick(id, { disconnect: query.disconnect }))) {
      throw new NotFoundException(`session ${id} is not active`);
    }
    return { sessionId: id, streamId: member.streamId, disconnected: query.disconnect === true };
  }
}
