-- Append one entry to a stream consumed by a consumer group, optionally only once per marker.
-- KEYS[1] the stream; KEYS[2] (optional) a marker that must not exist yet (replay protection)
-- ARGV[1] the consumer group, ARGV[2] the marker's TTL (ms), ARGV[3..] field, value, field, value, ...
-- Returns the entry id, or nil if the marker existed. The group is created (reading from the start) with
-- the stream, so no process needs to create the stream before there is something in it.
if KEYS[2] and not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then
  return false
end
local fields = {}
for i = 3, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
local id = redis.call('XADD', KEYS[1], '*', unpack(fields))
redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0')
return id
