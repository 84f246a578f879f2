-- Take the next due subscription-sync job under a lease (a crashed runner's job comes due again).
-- KEYS[1] the jobs (sorted set, score = due ms on Redis' clock; 0 = now); ARGV[1] lease (ms)
-- Returns {job, lease score} or {'', ms until the next job (-1: none)}.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1)
if #due == 1 then
  local lease = now + tonumber(ARGV[1])
  redis.call('ZADD', KEYS[1], lease, due[1])
  return {due[1], lease}
end
local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #next == 0 then
  return {'', -1}
end
return {'', math.max(0, tonumber(next[2]) - now)}
