-- GCRA pacer for one upstream credential: KEYS[1] holds its theoretical arrival time (TAT), in
-- microseconds of Redis' own clock, so every gateway process shares one schedule and one clock.
--
-- ARGV[1] = 'reserve': ARGV[2] interval_us, ARGV[3] burst, ARGV[4] max_wait_us
--   reserves the next send slot and returns {1, wait_us, slot_us}; if the wait would exceed max_wait_us,
--   reserves nothing and returns {0, wait_us - max_wait_us, slot_us} (how much too late the slot is).
-- ARGV[1] = 'penalize': ARGV[2] penalty_us
--   after an upstream 429: no new slot before now + penalty; returns {1, 0, tat_us}.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then
  tat = now
end

local function store(value)
  redis.call('SET', KEYS[1], string.format('%d', value), 'PX', math.max(1, math.ceil((value - now) / 1000)))
end

if ARGV[1] == 'reserve' then
  local interval = tonumber(ARGV[2])
  local slot = math.max(now, tat - (tonumber(ARGV[3]) - 1) * interval)
  local wait = slot - now
  local max_wait = tonumber(ARGV[4])
  if wait > max_wait then
    return {0, wait - max_wait, slot}
  end
  store(tat + interval)
  return {1, wait, slot}
end

if ARGV[1] == 'penalize' then
  local until_us = now + tonumber(ARGV[2])
  if until_us > tat then
    tat = until_us
    store(tat)
  end
  return {1, 0, tat}
end

return redis.error_reply('pacer: unknown mode ' .. tostring(ARGV[1]))
