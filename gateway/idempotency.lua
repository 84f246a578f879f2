-- Idempotency-Key records: one hash per (tenant, account, key), all under the tenant's hash tag.
--
-- KEYS[1] the record hash (fields: fingerprint, state = running | done, owner, status, headers, body)
-- ARGV[1] command: claim | finish | release
--
-- claim   ARGV[2] fingerprint, ARGV[3] owner token, ARGV[4] lease ms
--         -> {"claimed"} when the key was free (now running, owned by ARGV[3], expiring after the lease)
--         -> {"mismatch"} when the key holds another request's fingerprint
--         -> {"running"} when the same request is still running
--         -> {"done", status, headers, body} when the same request has finished
-- finish  ARGV[2] owner, ARGV[3] status, ARGV[4] headers (JSON), ARGV[5] body, ARGV[6] retention ms
--         -> 1 stored, 0 the record is no longer ours (lease expired and taken over)
-- release ARGV[2] owner -> 1 removed, 0 not ours
local command = ARGV[1]
if command == 'claim' then
  local found = redis.call('HMGET', KEYS[1], 'fingerprint', 'state', 'status', 'headers', 'body')
  if not found[1] then
    redis.call('HSET', KEYS[1], 'fingerprint', ARGV[2], 'state', 'running', 'owner', ARGV[3])
    redis.call('PEXPIRE', KEYS[1], ARGV[4])
    return {'claimed'}
  end
  if found[1] ~= ARGV[2] then
    return {'mismatch'}
  end
  if found[2] == 'done' then
    return {'done', found[3], found[4], found[5]}
  end
  return {'running'}
end
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[2] then
  return 0
end
if command == 'finish' then
  redis.call('HSET', KEYS[1], 'state', 'done', 'status', ARGV[3], 'headers', ARGV[4], 'body', ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  return 1
end
redis.call('DEL', KEYS[1])
return 1
