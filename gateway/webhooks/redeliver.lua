-- Make a delivery due again (POST /v1/events/{id}/redeliver).
-- KEYS[1] the delivery's hash, KEYS[2] the event's hash; ARGV[1] retention (ms, the log's TTL again)
-- Returns the attempt number to enqueue now, 0 if an attempt is already queued or under way, -1 if gone.
local d = redis.call('HMGET', KEYS[1], 'status', 'attempts')
local status = d[1]
if not status then
  return -1
end
if status == 'pending' or status == 'delivering' then
  return 0
end
if status ~= 'retrying' then
  redis.call('HSET', KEYS[1], 'tries', 0)
end
redis.call('HSET', KEYS[1], 'status', 'pending')
redis.call('HDEL', KEYS[1], 'next_attempt_at')
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return tonumber(d[2] or '0') + 1
