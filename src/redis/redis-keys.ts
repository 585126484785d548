/** The names under the key prefix (docs/scale-out.md, "Data in Redis"): TypeScript and Lua both build keys from these. */
const ROOM = 'room:';
const ROOMS = 'rooms';
const SESSIONS = 'sessions';
const COUNTERS = 'counters';
const NODES = 'nodes';
const NODE = 'node:';
const NODE_SESSIONS_SUFFIX = ':sessions';
const LEASE = 'lease:';

/**
 * Every key and channel of the cluster, under one prefix: the one place their names are made (the
 * Lua scripts build the keys they derive, such as a room's from a session's record, with LUA_KEY_FUNCTIONS).
 *
 * - `room:<streamId>` hash: a room's occupancy and members (redis-scripts.ts);
 * - `rooms` set of active streamIds; `sessions` hash sessionId → `<streamId>\n<connectionId>`;
 * - `node:<nodeId>:sessions` set of a node's sessions; `nodes` set of nodes with a lease or memberships;
 * - `lease:<nodeId>` the node's lease (its incarnation id, with a TTL); `counters` hash sessionId → relay counters;
 * - channel `node:<nodeId>`: what other nodes publish to that node.
 */
export class RedisKeys {
  readonly rooms: string;
  readonly sessions: string;
  readonly counters: string;
  readonly nodes: string;
  private readonly channels = new Map<string, string>();

  constructor(readonly prefix: string) {
    this.rooms = prefix + ROOMS;
    this.sessions = prefix + SESSIONS;
    this.counters = prefix + COUNTERS;
    this.nodes = prefix + NODES;
  }

  room(streamId: string): string {
    return this.prefix + ROOM + streamId;
  }

  nodeSessions(nodeId: string): string {
    return this.prefix + NODE + nodeId + NODE_SESSIONS_SUFFIX;
  }

  lease(nodeId: string): string {
    return this.prefix + LEASE + nodeId;
  }

  /** The channel of a node (cached: every cross-node frame is published to one). */
  channel(nodeId: string): string {
    let channel = this.channels.get(nodeId);
    if (channel === undefined) {
      channel = this.prefix + NODE + nodeId;
      this.channels.set(nodeId, channel);
    }
    return channel;
  }
}

/** The same keys for the Lua scripts, from the prefix they are given (ARGV). */
export const LUA_KEY_FUNCTIONS = `
local function roomKey(prefix, streamId) return prefix .. '${ROOM}' .. streamId end
local function roomsKey(prefix) return prefix .. '${ROOMS}' end
local function sessionsKey(prefix) return prefix .. '${SESSIONS}' end
local function countersKey(prefix) return prefix .. '${COUNTERS}' end
local function nodeSessionsKey(prefix, nodeId) return prefix .. '${NODE}' .. nodeId .. '${NODE_SESSIONS_SUFFIX}' end
`;
