import { LUA_KEY_FUNCTIONS } from './redis-keys';

/**
 * The registry's atomic changes, as Lua scripts run by Redis (EVALSHA through ioredis' defineCommand).
 *
 * Keys: see RedisKeys (redis-keys.ts). Scripts get them as KEYS from RedisKeys, or, when they derive
 * them (the room of a session), build them with LUA_KEY_FUNCTIONS from the prefix. The room hash holds
 * `id`, `streamId`, `openedAt`, `nodeId` (of the opener), `peakPeers`, `callStartedAt`, `pairedSince`,
 * `callDurationMs`, `count`, `first` (connection id of the waiting member), and `m:<connectionId>` =
 * MemberRecord JSON per member; `counters` holds `"<messages> <bytes>"` per session (synced from the
 * member's node). Times are milliseconds since the epoch from the calling node's clock.
 */

/** Shared by the leave scripts: removes member `conn` from room `streamId`; `sessionFilter` '' = any session. */
const LEAVE_FUNCTION = `${LUA_KEY_FUNCTIONS}
local function leave(prefix, streamId, conn, sessionFilter, now)
  local room = roomKey(prefix, streamId)
  local field = 'm:' .. conn
  local raw = redis.call('HGET', room, field)
  if not raw then return {'none'} end
  local member = cjson.decode(raw)
  if sessionFilter ~= '' and member.s ~= sessionFilter then return {'none'} end
  local paired = redis.call('HGET', room, 'pairedSince')
  if paired then
    redis.call('HINCRBY', room, 'callDurationMs', math.max(0, now - tonumber(paired)))
    redis.call('HDEL', room, 'pairedSince')
  end
  local before = redis.call('HGETALL', room)
  local counters = redis.call('HGET', countersKey(prefix), member.s) or ''
  redis.call('HDEL', room, field)
  redis.call('HDEL', sessionsKey(prefix), member.s)
  redis.call('HDEL', countersKey(prefix), member.s)
  redis.call('SREM', nodeSessionsKey(prefix, member.n), member.s)
  local count = tonumber(redis.call('HGET', room, 'count') or '1') - 1
  local closed = 0
  if count <= 0 then
    redis.call('DEL', room)
    redis.call('SREM', roomsKey(prefix), streamId)
    closed = 1
  else
    redis.call('HSET', room, 'count', count)
    if redis.call('HGET', room, 'first') == conn then
      for _, key in ipairs(redis.call('HKEYS', room)) do
        if string.sub(key, 1, 2) == 'm:' then
          redis.call('HSET', room, 'first', string.sub(key, 3))
          break
        end
      end
    end
  end
  return {'left', closed, before, counters, streamId, conn}
end
`;

/**
 * KEYS: room, rooms, sessions, joiner's node sessions, nodes.
 * ARGV: streamId, connectionId, member JSON, sessionId, new room id, now, nodeId, capacity.
 * Returns {'already', memberJson} | {'full'} | {'joined', roomOpened (0/1), HGETALL of the room}.
 */
export const JOIN_SCRIPT = `
local room = KEYS[1]
local field = 'm:' .. ARGV[2]
local existing = redis.call('HGET', room, field)
if existing then return {'already', existing} end
local count = tonumber(redis.call('HGET', room, 'count') or '0')
if count >= tonumber(ARGV[8]) then return {'full'} end
local opened = 0
if count == 0 then
  redis.call('DEL', room)
  redis.call('HSET', room, 'id', ARGV[5], 'streamId', ARGV[1], 'openedAt', ARGV[6], 'nodeId', ARGV[7],
    'peakPeers', '0', 'callDurationMs', '0', 'first', ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[1])
  opened = 1
end
count = count + 1
redis.call('HSET', room, field, ARGV[3], 'count', count)
if count > tonumber(redis.call('HGET', room, 'peakPeers')) then redis.call('HSET', room, 'peakPeers', count) end
if count >= 2 then
  redis.call('HSETNX', room, 'callStartedAt', ARGV[6])
  redis.call('HSET', room, 'pairedSince', ARGV[6])
end
redis.call('HSET', KEYS[3], ARGV[4], ARGV[1] .. '\\n' .. ARGV[2])
redis.call('SADD', KEYS[4], ARGV[4])
redis.call('SADD', KEYS[5], ARGV[7])
return {'joined', opened, redis.call('HGETALL', room)}
`;

/**
 * ARGV: prefix, streamId, connectionId, sessionId or '', now.
 * Returns {'none'} | {'left', roomClosed (0/1), HGETALL of the room before, counters, streamId, connectionId}.
 */
export const LEAVE_SCRIPT = `${LEAVE_FUNCTION}
return leave(ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]))
`;

/**
 * Removes a membership by session id, for the node `nodeId` (sweeps). With a lease key, nothing is
 * removed while that key exists (the node is alive after all).
 * ARGV: prefix, sessionId, now, lease key or '', nodeId.
 * Returns {'alive'} | {'none'} | the LEAVE_SCRIPT reply.
 */
export const LEAVE_SESSION_SCRIPT = `${LEAVE_FUNCTION}
local prefix = ARGV[1]
if ARGV[4] ~= '' and redis.call('EXISTS', ARGV[4]) == 1 then return {'alive'} end
local where = redis.call('HGET', sessionsKey(prefix), ARGV[2])
if not where then
  redis.call('SREM', nodeSessionsKey(prefix, ARGV[5]), ARGV[2])
  return {'none'}
end
local at = string.find(where, '\\n', 1, true)
local result = leave(prefix, string.sub(where, 1, at - 1), string.sub(where, at + 1), ARGV[2], tonumber(ARGV[3]))
if result[1] == 'none' then redis.call('SREM', nodeSessionsKey(prefix, ARGV[5]), ARGV[2]) end
return result
`;

/**
 * ARGV: prefix, sessionId. Returns nil | {memberJson, streamId, roomId, counters}.
 */
export const FIND_SESSION_SCRIPT = `${LUA_KEY_FUNCTIONS}
local prefix = ARGV[1]
local where = redis.call('HGET', sessionsKey(prefix), ARGV[2])
if not where then return nil end
local at = string.find(where, '\\n', 1, true)
local streamId = string.sub(where, 1, at - 1)
local room = roomKey(prefix, streamId)
local raw = redis.call('HGET', room, 'm:' .. string.sub(where, at + 1))
if not raw then return nil end
return {raw, streamId, redis.call('HGET', room, 'id') or '', redis.call('HGET', countersKey(prefix), ARGV[2]) or ''}
`;

/** KEYS: sessions, counters. ARGV: sessionId, counters, sessionId, counters, … Sets counters of sessions that still exist. */
export const SYNC_COUNTERS_SCRIPT = `
for i = 1, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
end
return 0
`;

/**
 * KEYS: lease. ARGV: incarnation, lease ms. 1 when renewed, 2 when the lease had expired (taken again:
 * other nodes may have swept memberships meanwhile), 0 when another incarnation holds it.
 */
export const RENEW_LEASE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if holder then return 1 end
return 2
`;

/** KEYS: lease. ARGV: incarnation. Deletes the lease if this incarnation holds it. */
export const RELEASE_LEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: nodes, lease, node sessions. ARGV: nodeId. Forgets a node with no lease and no membership left. */
export const FORGET_NODE_SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 0 and redis.call('SCARD', KEYS[3]) == 0 then
  redis.call('SREM', KEYS[1], ARGV[1])
  return 1
end
return 0
`;
