import type { RoomMember } from '../signaling/rooms/room-member';

/**
 * What nodes publish to each other's channel (`<prefix>node:<nodeId>`), one Redis PUBLISH each. Every
 * node publishes on one connection, so a node's messages reach another node in the order it sent them.
 *
 * - `F<streamId>\n<connectionId>\n<sessionId>\n<frame>`: a frame for a member of a room (relayed
 *   frames, `start`, `stop`); dropped at the receiver when that membership has ended.
 * - `D<connectionId>\n<frame>`: a frame for a connection, whatever its rooms.
 * - `C<json>`: a control message (ClusterControl).
 * streamIds (`^[A-Za-z0-9_.-]+$`) and connection/session ids (UUIDs) never hold a newline.
 */
export type ClusterControl =
  /** `c` (session `ts`) on the receiving node now has a peer in room `s`: the member `p` (MemberRecord JSON) of room occupancy `r`. */
  | { t: 'pj'; s: string; c: string; ts: string; r: string; p: string }
  /** The peer (session `ls`) of `c` (session `ts`) in room `s` left. */
  | { t: 'pl'; s: string; c: string; ts: string; ls: string }
  /** Membership `ts` of `c` in room `s` was removed by another node (which announced it). */
  | { t: 'rm'; s: string; c: string; ts: string }
  /** Run an operator's kick of session `sid` here and answer `from` with request id `id`. */
  | { t: 'kick'; id: string; from: string; sid: string; d: boolean }
  /** Answer to kick request `id`. */
  | { t: 'kicked'; id: string; ok: boolean }
  /** Probe the liveness of session `sid` here (a join on `from` found its room full) and answer `from` with request id `id`. */
  | { t: 'probe'; id: string; from: string; sid: string }
  /** Answer to probe request `id`: `ok` when the session was unresponsive and has been removed. */
  | { t: 'probed'; id: string; ok: boolean };

export type ClusterMessage =
  | { kind: 'member-frame'; streamId: string; connectionId: string; sessionId: string; frame: string }
  | { kind: 'frame'; connectionId: string; frame: string }
  | { kind: 'control'; control: ClusterControl };

export function memberFrameMessage(member: RoomMember, frame: string): string {
  return `F${member.streamId}\n${member.connectionId}\n${member.sessionId}\n${frame}`;
}

export function connectionFrameMessage(connectionId: string, frame: string): string {
  return `D${connectionId}\n${frame}`;
}

export function controlMessage(control: ClusterControl): string {
  return `C${JSON.stringify(control)}`;
}

/** Undefined for a message this version does not understand. */
export function parseClusterMessage(message: string): ClusterMessage | undefined {
  switch (message.charCodeAt(0)) {
    case 70 /* F */: {
      const a = message.indexOf('\n', 1);
      const b = a < 0 ? -1 : message.indexOf('\n', a + 1);
      const c = b < 0 ? -1 : message.indexOf('\n', b + 1);
      if (c < 0) return undefined;
      return {
        kind: 'member-frame',
        streamId: message.slice(1, a),
        connectionId: message.slice(a + 1, b),
        sessionId: message.slice(b + 1, c),
        frame: message.slice(c + 1),
      };
    }
    case 68 /* D */: {
      const a = message.indexOf('\n', 1);
      if (a < 0) return undefined;
      return { kind: 'frame', connectionId: message.slice(1, a), frame: message.slice(a + 1) };
    }
    case 67 /* C */: {
      try {
        const control = JSON.parse(message.slice(1)) as ClusterControl;
        return control && typeof control.t === 'string' ? { kind: 'control', control } : undefined;
      } catch {
        return undefined;
      }
    }
    default:
      return undefined;
  }
}

/** A membership as the registry stores it in Redis (short keys: it is in every room hash). */
export interface MemberRecord {
  /** sessionId */
  s: string;
  /** connectionId */
  c: string;
  /** nodeId */
  n: string;
  /** remoteAddress */
  a: string;
  /** userAgent */
  u: string;
  /** mode */
  m: string;
  /** joinedAt, ms since epoch */
  j: number;
}

export function memberFromRecord(
  record: MemberRecord,
  streamId: string,
  roomId: string,
  counters: { messagesRelayed: number; bytesRelayed: number } = { messagesRelayed: 0, bytesRelayed: 0 },
): RoomMember {
  return {
    sessionId: record.s,
    connectionId: record.c,
    nodeId: record.n,
    remoteAddress: record.a,
    userAgent: record.u,
    mode: record.m,
    joinedAt: new Date(record.j),
    streamId,
    roomId,
    peer: undefined,
    messagesRelayed: counters.messagesRelayed,
    bytesRelayed: counters.bytesRelayed,
  };
}

/** Relay counters as kept in Redis: `"<messages> <bytes>"`. */
export function parseCounters(raw: string | null | undefined): { messagesRelayed: number; bytesRelayed: number } {
  if (!raw) return { messagesRelayed: 0, bytesRelayed: 0 };
  const [messages, bytes] = raw.split(' ');
  return { messagesRelayed: Number(messages) || 0, bytesRelayed: Number(bytes) || 0 };
}
