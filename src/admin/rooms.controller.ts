import { Delete, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { RoomSnapshot } from '../signaling/rooms/room-member';
import { RoomRegistry } from '../signaling/rooms/room-registry';
import { SignalingService } from '../signaling/signaling.service';
import { AdminController } from './admin-controller.decorator';
import { ApiBadRequest, ApiNotFound } from './api-error-responses';
import { ActiveRoomDto, ActiveRoomPageDto } from './dto/active-room.dto';
import { KickQueryDto } from './dto/kick-query.dto';
import { KickRoomResultDto } from './dto/kick-result.dto';
import { RoomsQueryDto } from './dto/rooms-query.dto';
import { StreamIdPipe } from './stream-id.pipe';

const STREAM_ID_PARAM = { name: 'streamId', example: 'room1', description: 'Room (Ant Media streamId).' };

@AdminController('rooms', 'rooms')
export class RoomsController {
  constructor(
    private readonly rooms: RoomRegistry,
    private readonly signaling: SignalingService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Active rooms',
    description:
      'Rooms with at least one peer now, with their peers (live state), a page at a time: oldest first ' +
      '(by openedAt, then streamId), with the total of rooms that match.',
  })
  @ApiOkResponse({ type: ActiveRoomPageDto })
  @ApiBadRequest('Invalid query (messages say which).')
  async list(@Query() query: RoomsQueryDto): Promise<ActiveRoomPageDto> {
    // One read of the registry; filtering, ordering and the page are done here, in memory.
    const rooms = await this.rooms.listRooms();
    const prefix = query.streamIdPrefix;
    const matching = prefix === undefined ? [...rooms] : rooms.filter((room) => room.streamId.startsWith(prefix));
    matching.sort(oldestFirst);
    const page = matching.slice(query.offset, query.offset + query.limit);
    return { total: matching.length, limit: query.limit, offset: query.offset, items: page.map((room) => ActiveRoomDto.from(room)) };
  }

  @Get(':streamId')
  @ApiOperation({ summary: 'One active room' })
  @ApiParam(STREAM_ID_PARAM)
  @ApiOkResponse({ type: ActiveRoomDto })
  @ApiNotFound('No peer is in this room.')
  @ApiBadRequest('Malformed streamId.')
  async get(@Param('streamId', StreamIdPipe) streamId: string): Promise<ActiveRoomDto> {
    const room = await this.rooms.getRoom(streamId);
    if (!room) throw new NotFoundException(`room ${streamId} is not active`);
    return ActiveRoomDto.from(room);
  }

  @Delete(':streamId')
  @ApiOperation({
    summary: 'Forced leave of every peer of a room',
    description:
      'Each peer receives `stop` then `notification` `leaved` (with `reason: "kicked"`) over its WebSocket; history records `kicked`.',
  })
  @ApiParam(STREAM_ID_PARAM)
  @ApiOkResponse({ type: KickRoomResultDto })
  @ApiNotFound('No peer is in this room.')
  @ApiBadRequest('Malformed streamId or query.')
  async kickRoom(
    @Param('streamId', StreamIdPipe) streamId: string,
    @Query() query: KickQueryDto,
  ): Promise<KickRoomResultDto> {
    const removed = await this.signaling.kickRoom(streamId, { disconnect: query.disconnect });
    if (removed === 0) throw new NotFoundException(`room ${streamId} is not active`);
    return { streamId, removed };
  }
}

/** A stable order: opening time, then streamId (unique among active rooms), compared by code unit. */
function oldestFirst(a: RoomSnapshot, b: RoomSnapshot): number {
  const byTime = a.openedAt.getTime() - b.openedAt.getTime();
  if (byTime !== 0) return byTime;
  return a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0;
}
