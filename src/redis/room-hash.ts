import type { RoomMember, RoomSnapshot } from '../signaling/rooms/room-member';
import { memberFromRecord, type MemberRecord } from './cluster-messages';

/** A room hash (`room:<streamId>`, redis-scripts.ts) as HGETALL gives it: a flat array (scripts) or an object (ioredis) → Map. */
export function pairs(value: string[] | Record<string, string>): Map<string, string> {
  const map = new Map<string, string>();
  if (Array.isArray(value)) for (let i = 0; i + 1 < value.length; i += 2) map.set(value[i], value[i + 1]);
  else for (const [key, field] of Object.entries(value)) map.set(key, field);
  return map;
}

/** The members stored in a room hash, the waiting (first) one first. */
export function membersOf(hash: Map<string, string>, streamId: string, roomId: string): RoomMember[] {
  const first = hash.get('first');
  const members: RoomMember[] = [];
  for (const [key, value] of hash) {
    if (!key.startsWith('m:')) continue;
    const member = memberFromRecord(JSON.parse(value) as MemberRecord, streamId, roomId);
    if (key.slice(2) === first) members.unshift(member);
    else members.push(member);
  }
  return members;
}

/** The room of a hash with `members` (live or copies), its call duration counted up to `now`. */
export function snapshotOf(hash: Map<string, string>, streamId: string, members: RoomMember[], now: number): RoomSnapshot {
  const pairedSince = hash.get('pairedSince');
  const callStartedAt = hash.get('callStartedAt');
  return {
    id: hash.get('id') as string,
    streamId,
    nodeId: hash.get('nodeId'),
    openedAt: new Date(Number(hash.get('openedAt'))),
    callStartedAt: callStartedAt ? new Date(Number(callStartedAt)) : undefined,
    peakPeers: Number(hash.get('peakPeers') ?? members.length),
    callDurationMs: Number(hash.get('callDurationMs') ?? 0) + (pairedSince ? Math.max(0, now - Number(pairedSince)) : 0),
    members,
  };
}
