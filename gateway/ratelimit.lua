-- Inbound admission of one tenant request: API key still valid? within the tenant's quota? (GCRA)
-- All keys share the tenant's hash tag, so this is one round trip on one Redis Cluster slot.
--
-- KEYS[1] tenant hash (fields rate, burst; absent = defaults)
-- KEYS[2] tenant API keys hash (key id -> metadata)
-- KEYS[3] tenant API key last-use hash (key id -> Unix seconds)
-- KEYS[4] tenant limiter state (theoretical arrival time, microseconds)
-- ARGV[1] API key id, ARGV[2] default rate (requests/s), ARGV[3] default burst
--
-- Returns {verdict, remaining, retry_after_us, reset_us, rate, burst}:
-- verdict 1 = admitted, 0 = over quota, -1 = key revoked (nothing else done).
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then
  return {-1, 0, 0, 0, '0', '0'}
end

local conf = redis.call('HMGET', KEYS[1], 'rate', 'burst')
local rate = tonumber(conf[1]) or tonumber(ARGV[2])
local burst = tonumber(conf[2]) or tonumber(ARGV[3])

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('HSET', KEYS[3], ARGV[1], t[1])

local interval = 1000000 / rate      -- microseconds per request
local tolerance = interval * burst   -- how far ahead of now the schedule may run
local tat = tonumber(redis.call('GET', KEYS[4])) or now
if tat < now then
  tat = now
end
local new_tat = tat + interval

if new_tat - now > tolerance then
  return {0, 0, math.ceil(new_tat - tolerance - now), math.ceil(tat - now), tostring(rate), tostring(burst)}
end

redis.call('SET', KEYS[4], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1)
local remaining = math.floor((tolerance - (new_tat - now)) / interval)
return {1, remaining, 0, math.ceil(new_tat - now), tostring(rate), tostring(burst)}
