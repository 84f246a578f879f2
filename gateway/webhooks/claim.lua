-- Claim one delivery attempt before sending it, so that no two processes send the same attempt at once.
-- KEYS[1] the delivery's hash; ARGV[1] the attempt number, ARGV[2] the claiming consumer, ARGV[3] lease (ms),
-- ARGV[4] the stream entry of the job (an attempt may be queued twice, e.g. by a repeated callback)
-- Returns {verdict, now_ms, n}: 'ok' (claimed until now + lease; n = failed tries of the current series),
-- 'covered' (another entry of this attempt holds a live lease: this copy is redundant, the holder's entry
-- stays queued until it is settled), 'busy' (another consumer holds a live lease through this very entry:
-- leave it queued), 'reschedule' (this attempt failed and was settled, but its sender may have died before
-- scheduling the next one: schedule it for n ms, again if need be), 'stale' (that attempt is no longer the
-- next one), 'done' (delivered, dead or canceled) or 'gone' (the event expired).
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local d = redis.call('HMGET', KEYS[1], 'status', 'attempts', 'lease_owner', 'lease_until', 'tries',
  'next_attempt_at', 'lease_entry')
local status = d[1]
if not status then
  return {'gone', now, 0}
end
if status == 'delivered' or status == 'dead' or status == 'canceled' then
  return {'done', now, 0}
end
local attempts = tonumber(d[2] or '0')
if status == 'retrying' and tonumber(ARGV[1]) == attempts then
  return {'reschedule', now, tonumber(d[6])}
end
if tonumber(ARGV[1]) ~= attempts + 1 then
  return {'stale', now, 0}
end
if status == 'delivering' and tonumber(d[4] or '0') > now then
  if d[7] ~= ARGV[4] then
    return {'covered', now, 0}
  end
  if d[3] ~= ARGV[2] then
    return {'busy', now, 0}
  end
end
redis.call('HSET', KEYS[1], 'status', 'delivering', 'lease_owner', ARGV[2], 'lease_entry', ARGV[4],
  'lease_until', now + tonumber(ARGV[3]))
return {'ok', now, tonumber(d[5] or '0')}
