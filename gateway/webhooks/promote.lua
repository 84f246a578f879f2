-- Move delivery attempts that are due from the retry schedule onto the delivery stream.
-- KEYS[1] the schedule (sorted set: member "tenant|event|endpoint|attempt", score = due ms on Redis' clock)
-- KEYS[2] the delivery stream; ARGV[1] its consumer group, ARGV[2] how many to move at most
-- Returns {moved, ms until the next scheduled attempt (-1: none)}.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  local tenant, event, endpoint, attempt = string.match(member, '^([^|]+)|([^|]+)|([^|]+)|([^|]+)$')
  if attempt then
    redis.call('XADD', KEYS[2], '*', 't', tenant, 'e', event, 'w', endpoint, 'n', attempt)
  end
end
if #due > 0 then
  redis.pcall('XGROUP', 'CREATE', KEYS[2], ARGV[1], '0')
end
local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #next == 0 then
  return {#due, -1}
end
return {#due, math.max(0, tonumber(next[2]) - now)}
