import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConnectionRooms } from './connection-rooms';
import type { PeerIdentity, RoomMember, RoomSnapshot } from './room-member';
import { Departure, JoinOutcome, RoomRegistry } from './room-registry';

interface Room {
  readonly id: string;
  readonly streamId: string;
  readonly openedAt: Date;
  callStartedAt: Date | undefined;
  peakPeers: number;
  /** When the room last became full, while it is. */
  pairedSince: number | undefined;
  callDurationMs: number;
  members: RoomMember[];
}

/** Room membership for a single node, in process memory. */
@Injectable()
export class InMemoryRoomRegistry extends RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly sessions = new Map<string, RoomMember>();
  private readonly roomsByConnection = new ConnectionRooms();

  async join(streamId: string, peer: PeerIdentity): Promise<JoinOutcome> {
    let room = this.rooms.get(streamId);
    const existing = room && findMember(room, peer.connectionId);
    if (existing) return { status: 'already-member', member: existing };
    if (room && room.members.length >= RoomRegistry.CAPACITY) return { status: 'full' };

    const roomOpened = room === undefined;
    const now = new Date();
    if (!room) {
      room = {
        id: randomUUID(),
        streamId,
        openedAt: now,
        callStartedAt: undefined,
        peakPeers: 0,
        pairedSince: undefined,
        callDurationMs: 0,
        members: [],
      };
      this.rooms.set(streamId, room);
    }
    const waiting = room.members[0];
    // Listed field by field: an object spread here gave every member its own hidden class (360 bytes
    // each, and megamorphic property access on the relay path).
    const member: RoomMember = {
      connectionId: peer.connectionId,
      remoteAddress: peer.remoteAddress,
      userAgent: peer.userAgent,
      mode: peer.mode,
      sessionId: randomUUID(),
      streamId,
      roomId: room.id,
      joinedAt: now,
      peer: waiting,
      messagesRelayed: 0,
      bytesRelayed: 0,
    };
    room.members.push(member);
    room.peakPeers = Math.max(room.peakPeers, room.members.length);
    if (waiting) {
      waiting.peer = member;
      room.callStartedAt ??= now;
      room.pairedSince = now.getTime();
    }
    this.sessions.set(member.sessionId, member);
    this.roomsByConnection.add(peer.connectionId, streamId);
    return { status: 'joined', member, waiting, roomOpened, room: snapshot(room, now.getTime()) };
  }

  async leave(streamId: string, connectionId: string, sessionId?: string): Promise<Departure | undefined> {
    return this.remove(streamId, connectionId, sessionId);
  }

  async leaveAll(connectionId: string): Promise<Departure[]> {
    const departures: Departure[] = [];
    for (const streamId of [...this.roomsByConnection.of(connectionId)]) {
      const departure = this.remove(streamId, connectionId);
      if (departure) departures.push(departure);
    }
    return departures;
  }

  roomsOf(connectionId: string): ReadonlySet<string> {
    return this.roomsByConnection.of(connectionId);
  }

  membership(streamId: string, connectionId: string): RoomMember | undefined {
    const room = this.rooms.get(streamId);
    return room && findMember(room, connectionId);
  }

  async findSession(sessionId: string): Promise<RoomMember | undefined> {
    return this.sessions.get(sessionId);
  }

  async getRoom(streamId: string): Promise<RoomSnapshot | undefined> {
    const room = this.rooms.get(streamId);
    return room && snapshot(room, Date.now());
  }

  async listRooms(): Promise<RoomSnapshot[]> {
    const now = Date.now();
    return Array.from(this.rooms.values(), (room) => snapshot(room, now));
  }

  private remove(streamId: string, connectionId: string, sessionId?: string): Departure | undefined {
    const room = this.rooms.get(streamId);
    const member = room && findMember(room, connectionId);
    if (!room || !member || (sessionId !== undefined && member.sessionId !== sessionId)) return undefined;
    const now = Date.now();
    if (room.pairedSince !== undefined) {
      room.callDurationMs += now - room.pairedSince;
      room.pairedSince = undefined;
    }
    const before = snapshot(room, now);
    room.members = room.members.filter((m) => m !== member);
    const remaining = member.peer;
    if (remaining) remaining.peer = undefined;
    member.peer = undefined;
    this.sessions.delete(member.sessionId);
    this.roomsByConnection.delete(connectionId, streamId);
    const roomClosed = room.members.length === 0;
    if (roomClosed) this.rooms.delete(streamId);
    return { member, remaining, room: before, roomClosed };
  }
}

function findMember(room: Room, connectionId: string): RoomMember | undefined {
  const [first, second] = room.members;
  if (first?.connectionId === connectionId) return first;
  if (second?.connectionId === connectionId) return second;
  return undefined;
}

function snapshot(room: Room, now: number): RoomSnapshot {
  return {
    id: room.id,
    streamId: room.streamId,
    openedAt: room.openedAt,
    callStartedAt: room.callStartedAt,
    peakPeers: room.peakPeers,
    callDurationMs: room.callDurationMs + (room.pairedSince === undefined ? 0 : now - room.pairedSince),
    members: room.members.slice(),
  };
}
