-- Operation records: one hash per operation, under the tenant's hash tag. The lease (owner, lease_until in ms
-- on Redis' clock) says which process runs the operation; every write checks it (fencing), so a process that
-- lost its lease cannot overwrite the work of the one that took over.
--
-- KEYS[1] the record hash (fields: fingerprint, state (JSON), input (JSON), owner, lease_until, response)
-- ARGV[1] command: claim | takeover | save | finish | release
--
-- claim    ARGV[2] fingerprint, ARGV[3] owner, ARGV[4] lease ms, ARGV[5] state, ARGV[6] input
--          -> {"new", lease_until}             no such operation: created, running, owned by ARGV[3]
--          -> {"mismatch"}                     the id belongs to another request
--          -> {"finished", response}           it has its final response
--          -> {"busy", state}                  another process holds a live lease
--          -> {"resumed", state, input, lease_until}   unfinished and unowned: now ours
-- takeover ARGV[2] owner, ARGV[3] lease ms, ARGV[4] "any" to take a failed one too, else only running ones
--          -> {"gone"} | {"finished", response} | {"busy"} | {"idle"} (failed: waits for a retry)
--          -> {"resumed", state, input, lease_until}
-- save     ARGV[2] owner, ARGV[3] state, ARGV[4] lease ms -> {1, lease_until} | {0} (lease lost)
-- finish   ARGV[2] owner, ARGV[3] state, ARGV[4] response, ARGV[5] retention ms -> 1 | 0
-- release  ARGV[2] owner, ARGV[3] state, ARGV[4] "failed" (waits for a retry) or "0" (due at once: given up
--          on shutdown) -> 1 | 0
local command = ARGV[1]
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)

local function take(owner, lease_ms)
  local lease_until = now_ms + tonumber(lease_ms)
  redis.call('HSET', KEYS[1], 'owner', owner, 'lease_until', lease_until)
  return lease_until
end

local function live()
  local lease_until = tonumber(redis.call('HGET', KEYS[1], 'lease_until')) or 0
  return redis.call('HEXISTS', KEYS[1], 'owner') == 1 and lease_until > now_ms
end

if command == 'claim' then
  local found = redis.call('HMGET', KEYS[1], 'fingerprint', 'response', 'state', 'input')
  if not found[1] then
    redis.call('HSET', KEYS[1], 'fingerprint', ARGV[2], 'state', ARGV[5], 'input', ARGV[6])
    return {'new', take(ARGV[3], ARGV[4])}
  end
  if found[1] ~= ARGV[2] then
    return {'mismatch'}
  end
  if found[2] then
    return {'finished', found[2]}
  end
  if live() then
    return {'busy', found[3]}
  end
  return {'resumed', found[3], found[4], take(ARGV[3], ARGV[4])}
end

if command == 'takeover' then
  local found = redis.call('HMGET', KEYS[1], 'fingerprint', 'response', 'state', 'input', 'lease_until')
  if not found[1] then
    return {'gone'}
  end
  if found[2] then
    return {'finished', found[2]}
  end
  if live() then
    return {'busy'}
  end
  if ARGV[4] ~= 'any' and found[5] == 'failed' then
    return {'idle'}
  end
  return {'resumed', found[3], found[4], take(ARGV[2], ARGV[3])}
end

if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[2] then
  return command == 'save' and {0} or 0
end

if command == 'save' then
  redis.call('HSET', KEYS[1], 'state', ARGV[3])
  return {1, take(ARGV[2], ARGV[4])}
end

if command == 'finish' then
  redis.call('HSET', KEYS[1], 'state', ARGV[3], 'response', ARGV[4])
  redis.call('HDEL', KEYS[1], 'input', 'owner', 'lease_until')
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end

-- release: a failed operation waits for a retry ('failed'); one given up on shutdown is due at once ('0')
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'lease_until', ARGV[4])
redis.call('HDEL', KEYS[1], 'owner')
return 1
