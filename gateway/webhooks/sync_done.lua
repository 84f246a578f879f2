-- Finish a subscription-sync job taken with sync_claim.lua, unless it was requested again meanwhile.
-- KEYS[1] the jobs; ARGV[1] the job, ARGV[2] its lease score, ARGV[3] run it again in this many ms (-1: done)
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then
  return 0
end
if tonumber(ARGV[3]) < 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
end
return 1
