--[[
  Step 1 of a topic deletion, in one step: the topic leaves metadata (its record and partition
  states; every broker's change feed then answers UNKNOWN_TOPIC_OR_PARTITION for it) and a
  tombstone naming its incarnation id is recorded, which the deletion job clears when every
  live broker has removed its replicas and the streams, leases and group offsets are gone.
  Only the controller calls it, fenced by its controller epoch.

  KEYS[1] topics hash (name -> TopicRecord JSON)
  KEYS[2] the topic's partitions hash
  KEYS[3] topics being deleted (name -> TopicTombstone JSON)
  KEYS[4] changes channel
  KEYS[5] controller epoch counter
  ARGV[1] topic name
  ARGV[2] the caller's controller epoch
  ARGV[3] deletion time (ms)
  ARGV[4] the deletion job's id prefix (the topic id is appended)
  Returns {1, tombstone JSON} deleted now, {2, tombstone JSON} already being deleted,
  {0} no such topic, {-1} stale controller.
]]
--- @include "publishChange"
if tonumber(redis.call('GET', KEYS[5]) or '0') ~= tonumber(ARGV[2]) then return {-1} end
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then
  local pending = redis.call('HGET', KEYS[3], ARGV[1])
  if pending then return {2, pending} end
  return {0}
end
local topic = cjson.decode(raw)
local tombstone = cjson.encode({
  name = ARGV[1],
  id = topic.id,
  partitionCount = redis.call('HLEN', KEYS[2]),
  deletedAt = tonumber(ARGV[3]),
  jobId = ARGV[4] .. topic.id,
})
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[3], ARGV[1], tombstone)
publishChange(KEYS[4], 'topic', ARGV[1])
return {1, tombstone}
