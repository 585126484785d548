import { InMemoryRoomRegistry } from '../../src/signaling/rooms/in-memory-room-registry';
import type { PeerIdentity, RoomMember } from '../../src/signaling/rooms/room-member';
import type { JoinOutcome } from '../../src/signaling/rooms/room-registry';
import { RoomRegistry } from '../../src/signaling/rooms/room-registry';

const peer = (connectionId: string, mode = 'both'): PeerIdentity => ({
  connectionId,
  remoteAddress: `10.0.0.${connectionId.length}`,
  userAgent: `agent-${connectionId}`,
  mode,
});

type Joined = Extract<JoinOutcome, { status: 'joined' }>;

async function joined(registry: InMemoryRoomRegistry, streamId: string, connectionId: string): Promise<Joined> {
  const outcome = await registry.join(streamId, peer(connectionId));
  if (outcome.status !== 'joined') throw new Error(`expected joined, got ${outcome.status}`);
  return outcome;
}

describe('InMemoryRoomRegistry', () => {
  let registry: InMemoryRoomRegistry;
  beforeEach(() => {
    registry = new InMemoryRoomRegistry();
  });

  describe('join', () => {
    it('has a capacity of two', () => {
      expect(RoomRegistry.CAPACITY).toBe(2);
    });

    it('first join opens the room, with no waiting peer', async () => {
      const outcome = await joined(registry, 'room', 'a');
      expect(outcome.roomOpened).toBe(true);
      expect(outcome.waiting).toBeUndefined();
      expect(outcome.member).toMatchObject({
        connectionId: 'a',
        streamId: 'room',
        remoteAddress: peer('a').remoteAddress,
        userAgent: 'agent-a',
        mode: 'both',
        messagesRelayed: 0,
        bytesRelayed: 0,
      });
      expect(typeof outcome.member.sessionId).toBe('string');
      expect(outcome.member.sessionId.length).toBeGreaterThan(0);
      expect(outcome.member.joinedAt).toBeInstanceOf(Date);
      expect(outcome.member.peer).toBeUndefined();
      const room = await registry.getRoom('room');
      expect(room?.members.map((m) => m.connectionId)).toEqual(['a']);
    });

    it('second join returns the waiting (first) member and links peer both ways', async () => {
      const first = await joined(registry, 'room', 'a');
      const second = await joined(registry, 'room', 'b');
      expect(second.roomOpened).toBe(false);
      expect(second.waiting).toBe(first.member);
      expect(second.member.connectionId).toBe('b');
      expect(second.member.peer).toBe(first.member);
      expect(first.member.peer).toBe(second.member);
      expect(second.member.sessionId).not.toBe(first.member.sessionId);
    });

    it('third join is refused with `full` and nothing changes', async () => {
      const a = await joined(registry, 'room', 'a');
      const b = await joined(registry, 'room', 'b');
      const before = await registry.getRoom('room');
      expect(await registry.join('room', peer('c'))).toEqual({ status: 'full' });
      const after = await registry.getRoom('room');
      expect(after?.members).toEqual(before?.members);
      expect(after?.members.map((m) => m.connectionId)).toEqual(['a', 'b']);
      expect(after?.peakPeers).toBe(2);
      expect(a.member.peer).toBe(b.member);
      expect(b.member.peer).toBe(a.member);
      expect(registry.membership('room', 'c')).toBeUndefined();
      expect(await registry.leaveAll('c')).toEqual([]);
    });

    it('a double join by the same connection is `already-member` and not counted twice', async () => {
      const first = await joined(registry, 'room', 'a');
      const again = await registry.join('room', peer('a'));
      expect(again).toEqual({ status: 'already-member', member: first.member });
      const room = await registry.getRoom('room');
      expect(room?.members).toHaveLength(1);
      expect(room?.peakPeers).toBe(1);
      // there is still space for exactly one other peer
      const second = await joined(registry, 'room', 'b');
      expect(second.waiting).toBe(first.member);
      expect((await registry.join('room', peer('a'))).status).toBe('already-member');
      expect((await registry.join('room', peer('b'))).status).toBe('already-member');
      expect((await registry.join('room', peer('c'))).status).toBe('full');
    });

    it('keeps rooms independent', async () => {
      await joined(registry, 'one', 'a');
      const other = await joined(registry, 'two', 'b');
      expect(other.roomOpened).toBe(true);
      expect(other.waiting).toBeUndefined();
    });
  });

  describe('leave', () => {
    it('leave of a non-member returns undefined and changes nothing', async () => {
      await joined(registry, 'room', 'a');
      expect(await registry.leave('room', 'b')).toBeUndefined();
      expect(await registry.leave('no-such-room', 'a')).toBeUndefined();
      expect((await registry.getRoom('room'))?.members).toHaveLength(1);
    });

    it('leave returns the remaining member and unlinks both', async () => {
      const a = await joined(registry, 'room', 'a');
      const b = await joined(registry, 'room', 'b');
      const departure = await registry.leave('room', 'b');
      expect(departure).toBeDefined();
      expect(departure?.member).toBe(b.member);
      expect(departure?.remaining).toBe(a.member);
      expect(departure?.roomClosed).toBe(false);
      // the snapshot is the room as it was when the member left
      expect(departure?.room.members.map((m) => m.connectionId)).toEqual(['a', 'b']);
      expect(a.member.peer).toBeUndefined();
      expect(b.member.peer).toBeUndefined();
      expect(registry.membership('room', 'b')).toBeUndefined();
      expect(registry.membership('room', 'a')).toBe(a.member);
      expect((await registry.getRoom('room'))?.members.map((m) => m.connectionId)).toEqual(['a']);
      // leaving twice is a no-op
      expect(await registry.leave('room', 'b')).toBeUndefined();
    });

    it('leave with a session id removes only that session (kick of an ended session)', async () => {
      const old = await joined(registry, 'room', 'a');
      await joined(registry, 'room', 'b');
      await registry.leave('room', 'a');
      const renewed = await joined(registry, 'room', 'a');
      // the old session is gone: a session-scoped leave of it changes nothing
      expect(await registry.leave('room', 'a', old.member.sessionId)).toBeUndefined();
      expect(registry.membership('room', 'a')).toBe(renewed.member);
      expect((await registry.getRoom('room'))?.members).toHaveLength(2);
      // the current session can be removed by its id
      const departure = await registry.leave('room', 'a', renewed.member.sessionId);
      expect(departure?.member).toBe(renewed.member);
      expect(registry.membership('room', 'a')).toBeUndefined();
    });

    it('the first member leaving leaves the second one alone, and a newcomer pairs with it', async () => {
      const a = await joined(registry, 'room', 'a');
      const b = await joined(registry, 'room', 'b');
      const departure = await registry.leave('room', 'a');
      expect(departure?.remaining).toBe(b.member);
      const c = await joined(registry, 'room', 'c');
      expect(c.roomOpened).toBe(false);
      expect(c.waiting).toBe(b.member);
      expect(b.member.peer).toBe(c.member);
      expect(a.member.peer).toBeUndefined();
    });

    it('the last member leaving deletes the room', async () => {
      await joined(registry, 'room', 'a');
      await joined(registry, 'other', 'z');
      const departure = await registry.leave('room', 'a');
      expect(departure?.remaining).toBeUndefined();
      expect(departure?.roomClosed).toBe(true);
      expect(departure?.room.streamId).toBe('room');
      expect(await registry.getRoom('room')).toBeUndefined();
      expect((await registry.listRooms()).map((r) => r.streamId)).toEqual(['other']);
      // a later join opens a new room
      expect((await joined(registry, 'room', 'a')).roomOpened).toBe(true);
    });

    it('leaveAll removes a connection from every room it is in', async () => {
      const a1 = await joined(registry, 'one', 'a');
      const a2 = await joined(registry, 'two', 'a');
      const b = await joined(registry, 'one', 'b');
      const departures = await registry.leaveAll('a');
      expect(departures).toHaveLength(2);
      const byRoom = new Map(departures.map((d) => [d.member.streamId, d]));
      expect(byRoom.get('one')?.member).toBe(a1.member);
      expect(byRoom.get('one')?.remaining).toBe(b.member);
      expect(byRoom.get('one')?.roomClosed).toBe(false);
      expect(byRoom.get('two')?.member).toBe(a2.member);
      expect(byRoom.get('two')?.remaining).toBeUndefined();
      expect(byRoom.get('two')?.roomClosed).toBe(true);
      expect(b.member.peer).toBeUndefined();
      expect(registry.membership('one', 'a')).toBeUndefined();
      expect(await registry.getRoom('two')).toBeUndefined();
      expect((await registry.listRooms()).map((r) => r.streamId)).toEqual(['one']);
      // idempotent
      expect(await registry.leaveAll('a')).toEqual([]);
    });

    it('leaveAll for an unknown connection returns nothing', async () => {
      expect(await registry.leaveAll('ghost')).toEqual([]);
    });
  });

  describe('lookups', () => {
    it('listRooms returns every open room', async () => {
      expect(await registry.listRooms()).toEqual([]);
      await joined(registry, 'one', 'a');
      await joined(registry, 'two', 'b');
      await joined(registry, 'two', 'c');
      const rooms = await registry.listRooms();
      expect(rooms.map((r) => [r.streamId, r.members.length]).sort()).toEqual([
        ['one', 1],
        ['two', 2],
      ]);
    });

    it('findSession finds a member by session id until it leaves', async () => {
      const a = await joined(registry, 'room', 'a');
      const b = await joined(registry, 'room', 'b');
      expect(await registry.findSession(a.member.sessionId)).toBe(a.member);
      expect(await registry.findSession(b.member.sessionId)).toBe(b.member);
      expect(await registry.findSession('no-such-session')).toBeUndefined();
      await registry.leave('room', 'a');
      expect(await registry.findSession(a.member.sessionId)).toBeUndefined();
      await registry.leaveAll('b');
      expect(await registry.findSession(b.member.sessionId)).toBeUndefined();
    });

    it('a new membership of the same connection gets a new session id', async () => {
      const first = await joined(registry, 'room', 'a');
      await registry.leave('room', 'a');
      const second = await joined(registry, 'room', 'a');
      expect(second.member.sessionId).not.toBe(first.member.sessionId);
    });

    it('membership returns the sender’s own member (not its peer)', async () => {
      const a = await joined(registry, 'room', 'a');
      const b = await joined(registry, 'room', 'b');
      const sender = registry.membership('room', 'b') as RoomMember;
      expect(sender).toBe(b.member);
      expect(sender.peer).toBe(a.member);
      expect(registry.membership('room', 'a')).toBe(a.member);
      expect(registry.membership('room', 'c')).toBeUndefined();
      expect(registry.membership('other', 'a')).toBeUndefined();
    });
  });

  describe('call statistics', () => {
    const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    beforeEach(() => {
      jest.useFakeTimers({ now: T0 });
    });
    afterEach(() => {
      jest.useRealTimers();
    });
    const at = (ms: number): void => jest.setSystemTime(T0 + ms);

    it('a lone peer has no call: no callStartedAt, zero duration, peak 1', async () => {
      await joined(registry, 'room', 'a');
      at(5_000);
      const room = await registry.getRoom('room');
      expect(room?.openedAt.getTime()).toBe(T0);
      expect(room?.callStartedAt).toBeUndefined();
      expect(room?.peakPeers).toBe(1);
      expect(room?.callDurationMs).toBe(0);
      at(6_000);
      const departure = await registry.leave('room', 'a');
      expect(departure?.room.callDurationMs).toBe(0);
    });

    it('call duration counts only the time both peers were present', async () => {
      await joined(registry, 'room', 'a'); // t=0, alone
      at(1_000);
      await joined(registry, 'room', 'b'); // paired from t=1s
      at(1_500);
      expect((await registry.getRoom('room'))?.callDurationMs).toBe(500);
      at(3_000);
      const left = await registry.leave('room', 'b'); // paired 1s..3s = 2s
      expect(left?.room.callDurationMs).toBe(2_000);
      expect(left?.room.peakPeers).toBe(2);
      expect(left?.room.callStartedAt?.getTime()).toBe(T0 + 1_000);
      at(10_000); // a alone for 7 s: not counted
      expect((await registry.getRoom('room'))?.callDurationMs).toBe(2_000);
      await joined(registry, 'room', 'c'); // paired again from t=10s
      at(10_250);
      const room = await registry.getRoom('room');
      expect(room?.callDurationMs).toBe(2_250);
      // callStartedAt stays the first pairing
      expect(room?.callStartedAt?.getTime()).toBe(T0 + 1_000);
      expect(room?.peakPeers).toBe(2);
      at(11_000);
      const departures = await registry.leaveAll('a'); // paired 10s..11s = 1s
      expect(departures[0].room.callDurationMs).toBe(3_000);
      at(20_000);
      const last = await registry.leave('room', 'c');
      expect(last?.roomClosed).toBe(true);
      expect(last?.room.callDurationMs).toBe(3_000);
      expect(last?.room.openedAt.getTime()).toBe(T0);
    });

    it('a refused third join and a double join change no statistics', async () => {
      await joined(registry, 'room', 'a');
      at(1_000);
      await joined(registry, 'room', 'b');
      at(2_000);
      await registry.join('room', peer('c'));
      await registry.join('room', peer('a'));
      const room = await registry.getRoom('room');
      expect(room?.peakPeers).toBe(2);
      expect(room?.callStartedAt?.getTime()).toBe(T0 + 1_000);
      expect(room?.callDurationMs).toBe(1_000);
    });
  });
});
