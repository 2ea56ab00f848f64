import { createHash } from 'node:crypto';

/** A Lua script and its SHA-1, for EVALSHA. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Value of a done key. Owner tokens are UUIDs, so they never equal it (and a claim record has a space). */
export const DONE = 'done';

/*
 * An event key holds `done`, or its claim's record `<token> <lease deadline in Redis ms>`, kept for the claim's ttl
 * (longer than the lease) so that its owner can still complete it when nobody took it over. A task's terminal marker
 * holds the token of the terminal claim that holds the task, then `done`. Both share the task's hash tag.
 */

/** Parses a claim record into owner and lease deadline (`owner` is nil for `done` or nothing). */
const PARSE = `
local function parse(value)
  if not value then return nil, 0 end
  local space = string.find(value, ' ', 1, true)
  if not space then return nil, 0 end
  return string.sub(value, 1, space - 1), tonumber(string.sub(value, space + 1))
end
`;

/**
 * KEYS[1] event, KEYS[2] its task's terminal marker; ARGV token, leaseMs, ttlMs (how long the record is kept), '1'
 * for a terminal event, then tokens of this process's abandoned claims of the event (a lease held by one of them is
 * free to take). → -1 done, -2 superseded (the task ended or a terminal claim holds it), 0 claimed, n > 0 in flight
 * for n more ms. The clock is Redis's own (TIME), the same for every replica.
 */
export const CLAIM = script(`${PARSE}
local current = redis.call('GET', KEYS[1])
if current == '${DONE}' then return -1 end
local owner, deadline = parse(current)
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= owner then return -2 end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if owner and deadline > now then
  local abandoned = false
  for i = 5, #ARGV do
    if ARGV[i] == owner then abandoned = true end
  end
  if not abandoned then return deadline - now end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. (now + tonumber(ARGV[2])), 'PX', ARGV[3])
if ARGV[4] == '1' then redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3]) end
return 0
`);

/**
 * KEYS[1] event, KEYS[2] its task's terminal marker (terminal events only); ARGV token, ttlMs. → 1 completed, 0 not
 * the owner. The token decides, not the lease clock: a lapsed lease nobody took over is still its owner's.
 */
export const COMPLETE = script(`${PARSE}
local owner = parse(redis.call('GET', KEYS[1]))
if owner ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], '${DONE}', 'PX', ARGV[2])
if KEYS[2] then redis.call('SET', KEYS[2], '${DONE}', 'PX', ARGV[2]) end
return 1
`);

/**
 * KEYS[1] event, KEYS[2] its task's terminal marker (terminal events only); ARGV token. → 1 released (and the task
 * open again when this claim held it), 0 not the owner.
 */
export const RELEASE = script(`${PARSE}
local owner = parse(redis.call('GET', KEYS[1]))
if owner ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if KEYS[2] and redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
`);

/** KEYS[1] a task's terminal marker. → 1 when the task ended (a terminal event was completed), else 0. */
export const IS_DONE = script(`
if redis.call('GET', KEYS[1]) == '${DONE}' then return 1 end
return 0
`);

/** KEYS[1] due-time sorted set. → how many tasks are pending. */
export const PENDING_COUNT = script(`
return redis.call('ZCARD', KEYS[1])
`);

/** KEYS[1] pairing; ARGV task id, ttlMs. */
export const PAIR = script(`
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 0
`);

/** KEYS[1] pairing. → the task id recorded, or nil. */
export const PAIRED = script(`
return redis.call('GET', KEYS[1])
`);

/**
 * KEYS[1] due-time sorted set, KEYS[2] task hash; ARGV taskId, dueAt, task JSON, maxPending, ttlMs. Past the cap the
 * tasks due longest ago are dropped; both keys' TTL is refreshed on every write, so an abandoned set expires.
 */
export const PUT_PENDING = script(`
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if excess > 0 then
  local dropped = redis.call('ZPOPMIN', KEYS[1], excess)
  for i = 1, #dropped, 2 do redis.call('HDEL', KEYS[2], dropped[i]) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 0
`);

/** KEYS[1] due-time sorted set, KEYS[2] task hash; ARGV taskId. */
export const DELETE_PENDING = script(`
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 0
`);

/**
 * KEYS[1] due-time sorted set, KEYS[2] task hash; ARGV now, limit, new dueAt, ttlMs. → the JSON of each task taken,
 * earliest due first, after moving its score to the new dueAt (one atomic step: concurrent takers get disjoint tasks).
 */
export const TAKE_DUE_PENDING = script(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local taken = {}
for _, id in ipairs(ids) do
  local json = redis.call('HGET', KEYS[2], id)
  if json then
    redis.call('ZADD', KEYS[1], ARGV[3], id)
    taken[#taken + 1] = json
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
if #taken > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return taken
`);
