-- Record the outcome of a claimed delivery attempt (only by the consumer still holding the claim).
-- KEYS[1] the delivery's hash
-- ARGV[1] attempt, ARGV[2] consumer, ARGV[3] outcome: delivered | retrying | dead | canceled,
-- ARGV[4] next attempt (ms, for retrying), ARGV[5] HTTP status ('' = none), ARGV[6] error ('' = none)
-- Returns 1, or 0 if the claim was lost (another consumer took the attempt over).
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local d = redis.call('HMGET', KEYS[1], 'status', 'attempts', 'lease_owner', 'tries')
if d[1] ~= 'delivering' or d[3] ~= ARGV[2] or tonumber(ARGV[1]) ~= tonumber(d[2] or '0') + 1 then
  return 0
end
local outcome = ARGV[3]
redis.call('HSET', KEYS[1], 'status', outcome, 'attempts', ARGV[1], 'tries', tonumber(d[4] or '0') + 1,
  'last_attempt_at', now)
redis.call('HDEL', KEYS[1], 'lease_owner', 'lease_entry', 'lease_until', 'next_attempt_at')
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[1], 'last_status_code', ARGV[5])
else
  redis.call('HDEL', KEYS[1], 'last_status_code')
end
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[1], 'last_error', ARGV[6])
else
  redis.call('HDEL', KEYS[1], 'last_error')
end
if outcome == 'retrying' then
  redis.call('HSET', KEYS[1], 'next_attempt_at', ARGV[4])
elseif outcome == 'delivered' then
  redis.call('HSET', KEYS[1], 'delivered_at', now)
end
return 1
