import { isUtf8 } from 'node:buffer';
import { isDeepStrictEqual } from 'node:util';

/**
 * A reference model of the server, written from docs/ams-p2p-protocol.md (not from src/): given
 * one frame from one socket, what every socket must receive, in order, and whether the sender's
 * socket is closed. Used as the oracle of the fuzz suite, for sockets whose rooms no other client
 * touches (each fuzz driver has its own room names).
 */
export type Frame = Record<string, unknown>;

export interface ModelLimits {
  maxFrameBytes: number;
  maxStreamIdLength: number;
  maxSdpLength: number;
  maxCandidateLength: number;
  maxRoomsPerConnection: number;
  maxDataDepth: number;
}

export interface Outcome {
  /** Frames each socket (by slot) receives because of this one, in the order sent. */
  deliveries: Array<[slot: number, frame: Frame]>;
  /** Close code of the sender's socket, when the frame closes it (its rooms are then left). */
  close?: number;
  /** What the frame got, for the figures: `error:<definition>`, `pong`, `relayed`, `ignored`, `closed 1009`… */
  category: string;
}

/** In an expected `invalidMessage` frame: any non-empty string `message` (its wording is not the contract). */
export const ANY_MESSAGE = '<any non-empty message>';

export const STREAM_ID = /^[A-Za-z0-9_.-]+$/;
const ROOM_COMMANDS = new Set(['join', 'leave', 'takeConfiguration', 'takeCandidate', 'peerMessageCommand']);

export function matchesFrame(expected: Frame, actual: Frame): boolean {
  if (expected.message !== ANY_MESSAGE) return isDeepStrictEqual(expected, actual);
  const { message: _expected, ...rest } = expected;
  const { message, ...actualRest } = actual;
  return typeof message === 'string' && message.length > 0 && isDeepStrictEqual(rest, actualRest);
}

/** A frame as the client will see it after JSON serialisation (drops undefined, -0 → 0). */
const wire = (frame: Frame): Frame => JSON.parse(JSON.stringify(frame)) as Frame;

const error = (definition: string, streamId?: string): Frame => wire({ command: 'error', definition, streamId });
const invalid = (streamId?: string): Frame => ({ ...error('invalidMessage', streamId), message: ANY_MESSAGE });

/** The parsed frame of a payload, as the server sees it; undefined when the payload is not parsed at all. */
export function parsePayload(payload: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(payload.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/** Whether a frame's room is one a driver may use: it is a room command with a valid streamId outside `owns`. */
export function touchesForeignRoom(value: unknown, maxStreamIdLength: number, owns: (streamId: string) => boolean): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const { command, streamId } = value as Frame;
  if (typeof command !== 'string' || !ROOM_COMMANDS.has(command) || typeof streamId !== 'string') return false;
  return streamId.length <= maxStreamIdLength && STREAM_ID.test(streamId) && !owns(streamId);
}

export class SignalingModel {
  /** Members of each room, first the one who waited. */
  private readonly rooms = new Map<string, number[]>();
  /** Rooms of each socket, in the order joined. */
  private readonly memberships: Array<Set<string>>;
  /** Rooms each socket joined with `mode: "play"`. */
  private readonly playing: Array<Set<string>>;

  constructor(
    private readonly limits: ModelLimits,
    slots: number,
    private readonly iceServerConfig?: Frame,
  ) {
    this.memberships = Array.from({ length: slots }, () => new Set<string>());
    this.playing = Array.from({ length: slots }, () => new Set<string>());
  }

  /** Rooms currently held (for the figures). */
  get roomCount(): number {
    return this.rooms.size;
  }

  apply(slot: number, payload: Buffer, binary: boolean): Outcome {
    if (payload.length > this.limits.maxFrameBytes) return this.closeSocket(slot, 1009);
    if (!binary && !isUtf8(payload)) return this.closeSocket(slot, 1007);
    const parsed = parsePayload(payload);
    const reply = (frame: Frame, category: string): Outcome => ({ deliveries: [[slot, frame]], category });
    if (!parsed.ok) return reply(invalid(), 'error:invalidMessage');
    const frame = parsed.value;
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) return reply(invalid(), 'error:invalidMessage');
    const { command } = frame as Frame;
    if (typeof command !== 'string') return reply(invalid(), 'error:invalidMessage');
    if (command === 'ping') return reply({ command: 'pong' }, 'pong');
    if (command === 'getIceServerConfig') {
      return this.iceServerConfig ? reply(this.iceServerConfig, 'iceServerConfig') : { deliveries: [], category: 'ignored' };
    }
    if (!ROOM_COMMANDS.has(command)) return { deliveries: [], category: 'ignored' };

    const fields = frame as Frame;
    const streamId = fields.streamId;
    if (typeof streamId !== 'string' || streamId === '') return reply(error('noStreamNameSpecified'), 'error:noStreamNameSpecified');
    if (streamId.length > this.limits.maxStreamIdLength || !STREAM_ID.test(streamId)) {
      return reply(error('invalidStreamName', streamId), 'error:invalidStreamName');
    }
    const fail = (definition: string): Outcome =>
      reply(definition === 'invalidMessage' ? invalid(streamId) : error(definition, streamId), `error:${definition}`);

    switch (command) {
      case 'join':
        return this.join(slot, streamId, fields.mode === 'play', fail);
      case 'leave':
        return this.leave(slot, streamId, fail);
      case 'takeConfiguration': {
        const { type, sdp } = fields;
        if ((type !== 'offer' && type !== 'answer') || typeof sdp !== 'string' || sdp.length > this.limits.maxSdpLength) {
          return fail('invalidMessage');
        }
        return this.relay(slot, streamId, { command, streamId, type, sdp, idMapping: {} }, fail);
      }
      case 'takeCandidate': {
        const { label, id, candidate } = fields;
        if (typeof label !== 'number' || !Number.isInteger(label) || label < 0) return fail('invalidMessage');
        if (typeof candidate !== 'string' || candidate.length > this.limits.maxCandidateLength) return fail('invalidMessage');
        if (id !== undefined && id !== null && typeof id !== 'string') return fail('invalidMessage');
        return this.relay(slot, streamId, { command, streamId, label, id: typeof id === 'string' ? id : String(label), candidate }, fail);
      }
      default: {
        const { definition, data } = fields;
        if (definition !== undefined && typeof definition !== 'string') return fail('invalidMessage');
        if (depth(data, this.limits.maxDataDepth + 1) > this.limits.maxDataDepth) return fail('invalidMessage');
        return this.relay(slot, streamId, { command, streamId, definition, data }, fail);
      }
    }
  }

  /** The socket is gone (closed by the server or the client): it leaves its rooms; the peers get `stop`. */
  closeSocket(slot: number, code: number): Outcome {
    const deliveries: Outcome['deliveries'] = [];
    for (const streamId of this.memberships[slot]) {
      const remaining = this.remove(slot, streamId);
      if (remaining !== undefined) deliveries.push([remaining, { command: 'stop', streamId }]);
    }
    return { deliveries, close: code, category: `closed ${code}` };
  }

  /**
   * `start` goes to the waiting peer, unless it joined to play only and the joiner did not: then to the
   * joiner, after its `joined`. A member with a partner that joins again renegotiates: the partner gets
   * `stop`, then the join goes on as a new one. (Every socket of the fuzz answers WebSocket pings, so a
   * join on a full room never displaces a member.)
   */
  private join(slot: number, streamId: string, play: boolean, fail: (definition: string) => Outcome): Outcome {
    const joined: Frame = { command: 'notification', definition: 'joined', streamId };
    const start: Frame = { command: 'start', streamId };
    const mine = this.memberships[slot];
    if (!mine.has(streamId) && mine.size >= this.limits.maxRoomsPerConnection) return fail('tooManyRooms');
    let members = this.rooms.get(streamId) ?? [];
    const deliveries: Outcome['deliveries'] = [];
    if (members.includes(slot)) {
      const partner = members.find((member) => member !== slot);
      if (partner === undefined) return { deliveries: [[slot, joined]], category: 'joined' };
      this.remove(slot, streamId);
      deliveries.push([partner, { command: 'stop', streamId }]);
      members = this.rooms.get(streamId) ?? [];
    }
    if (members.length >= 2) return fail('NoSpaceForNewPeer');
    const waiting = members[0];
    const joinerOffers = waiting !== undefined && this.playing[waiting].has(streamId) && !play;
    if (waiting !== undefined && !joinerOffers) deliveries.push([waiting, start]);
    this.rooms.set(streamId, [...members, slot]);
    mine.add(streamId);
    if (play) this.playing[slot].add(streamId);
    deliveries.push([slot, joined]);
    if (joinerOffers) deliveries.push([slot, start]);
    return { deliveries, category: 'joined' };
  }

  private leave(slot: number, streamId: string, fail: (definition: string) => Outcome): Outcome {
    if (!this.memberships[slot].has(streamId)) return fail('no_peer_associated_before');
    const remaining = this.remove(slot, streamId);
    const deliveries: Outcome['deliveries'] = [];
    if (remaining !== undefined) deliveries.push([remaining, { command: 'stop', streamId }]);
    deliveries.push([slot, { command: 'notification', definition: 'leaved', streamId }]);
    return { deliveries, category: 'leaved' };
  }

  private relay(slot: number, streamId: string, frame: Frame, fail: (definition: string) => Outcome): Outcome {
    const peer = this.rooms.get(streamId)?.find((member) => member !== slot);
    if (!this.memberships[slot].has(streamId) || peer === undefined) return fail('no_peer_associated_before');
    return { deliveries: [[peer, wire(frame)]], category: 'relayed' };
  }

  /** Removes a membership; returns the member left in the room, if any. */
  private remove(slot: number, streamId: string): number | undefined {
    this.memberships[slot].delete(streamId);
    this.playing[slot].delete(streamId);
    const members = (this.rooms.get(streamId) ?? []).filter((member) => member !== slot);
    if (members.length === 0) this.rooms.delete(streamId);
    else this.rooms.set(streamId, members);
    return members[0];
  }
}

/** Nesting depth of arrays and objects in a JSON value (a scalar is 0), counted up to `cap`. Iterative. */
export function depth(value: unknown, cap: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [item, level] = next;
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, level);
    if (deepest >= cap) return deepest;
    for (const child of Object.values(item)) stack.push([child, level + 1]);
  }
  return deepest;
}
