import { createHash } from 'node:crypto';

/** A Lua script and its SHA-1, for EVALSHA. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Value of a done key. Owner tokens are UUIDs, so they never equal it. */
export const DONE = 'done';

/**
 * KEYS[1] key, KEYS[2] supersededBy (optional); ARGV token, leaseMs, then tokens of this process's abandoned claims
 * of the key (a lease held by one of them is free to take). → -1 done, -2 superseded, 0 claimed, n > 0 in flight
 * for n more ms.
 */
export const CLAIM = script(`
local current = redis.call('GET', KEYS[1])
if current == '${DONE}' then return -1 end
if KEYS[2] and redis.call('GET', KEYS[2]) == '${DONE}' then return -2 end
if current then
  local abandoned = false
  for i = 3, #ARGV do
    if ARGV[i] == current then abandoned = true end
  end
  if not abandoned then
    local left = redis.call('PTTL', KEYS[1])
    if left < 1 then left = 1 end
    return left
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 0
`);

/** KEYS[1] key, KEYS[2] mark (optional); ARGV token, ttlMs. → 1 completed, 0 not the owner. */
export const COMPLETE = script(`
if ARGV[1] == '${DONE}' or redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], '${DONE}', 'PX', ARGV[2])
if KEYS[2] then redis.call('SET', KEYS[2], '${DONE}', 'PX', ARGV[2]) end
return 1
`);

/** KEYS[1] key; ARGV token. → 1 released, 0 not the owner. */
export const RELEASE = script(`
if ARGV[1] == '${DONE}' or redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`);

/** KEYS[1] a task's terminal marker. → 1 when the task ended (a terminal event was completed), else 0. */
export const IS_DONE = script(`
if redis.call('GET', KEYS[1]) == '${DONE}' then return 1 end
return 0
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
