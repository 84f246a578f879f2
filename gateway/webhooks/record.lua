-- Store a new event with a pending delivery per endpoint, once (a repeated call changes nothing).
-- KEYS[1] the event's hash, KEYS[2] the tenant's event index, KEYS[3..] one delivery hash per endpoint
-- ARGV[1] event id, ARGV[2] payload (JSON), ARGV[3] type, ARGV[4] account id, ARGV[5] endpoint ids (JSON),
-- ARGV[6] retention (ms), ARGV[7] the oldest event id still kept (older ones leave the index)
-- Returns 1 if stored, 0 if the event existed.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'payload', ARGV[2], 'type', ARGV[3], 'account_id', ARGV[4], 'endpoints', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
for i = 3, #KEYS do
  redis.call('HSET', KEYS[i], 'status', 'pending', 'attempts', 0, 'tries', 0)
  redis.call('PEXPIRE', KEYS[i], ARGV[6])
end
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call('ZREMRANGEBYLEX', KEYS[2], '-', '(' .. ARGV[7])
return 1
