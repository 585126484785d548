import { Delete, Get, NotFoundException, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
} from '@nestjs/swagger';
import { RoomRegistry } from '../signaling/rooms/room-registry';
import { SignalingService } from '../signaling/signaling.service';
import { AdminController } from './admin-controller.decorator';
import { ActiveRoomDto } from './dto/active-room.dto';
import { ErrorResponseDto } from './dto/error-response.dto';
import { KickQueryDto } from './dto/kick-query.dto';
import { KickRoomResultDto } from './dto/kick-result.dto';
import { StreamIdPipe } from './stream-id.pipe';

const STREAM_ID_PARAM = { name: 'streamId', example: 'room1', description: 'Room (Ant Media streamId).' };

@AdminController('rooms', 'rooms')
export class RoomsController {
  constructor(
    private readonly rooms: RoomRegistry,
    private readonly signaling: SignalingService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Active rooms', description: 'Rooms with at least one peer now, with their peers (live state).' })
  @ApiOkResponse({ type: [ActiveRoomDto] })
  async list(): Promise<ActiveRoomDto[]> {
    const rooms = await this.rooms.listRooms();
    return rooms
      .sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime())
      .map((room) => ActiveRoomDto.from(room));
  }

  @Get(':streamId')
  @ApiOperation({ summary: 'One active room' })
  @ApiParam(STREAM_ID_PARAM)
  @ApiOkResponse({ type: ActiveRoomDto })
  @ApiNotFoundResponse({ description: 'No peer is in this room.', type: ErrorResponseDto })
  @ApiBadRequestResponse({ description: 'Malformed streamId.', type: ErrorResponseDto })
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
  @ApiNotFoundResponse({ description: 'No peer is in this room.', type: ErrorResponseDto })
  @ApiBadRequestResponse({ description: 'Malformed streamId or query.', type: ErrorResponseDto })
  async kickRoom(
    @Param('streamId', StreamIdPipe) streamId: string,
    @Query() query: KickQueryDto,
  ): Promise<KickRoomResultDto> {
    const removed = await this.signaling.kickRoom(streamId, { disconnect: query.disconnect });
    if (removed === 0) throw new NotFoundException(`room ${streamId} is not active`);
    return { streamId, removed };
  }
}
