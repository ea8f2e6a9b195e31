--[[
  Creates a topic and all its partition states in one step, or nothing if the name is taken,
  or still being deleted (its tombstone's job has not yet removed the old incarnation's
  streams, leases and group offsets, which are keyed by name). Only the controller calls it,
  with its controller epoch: a deposed controller's write is refused, so two controllers can
  never both assign the same topic.

  KEYS[1] topics hash (name -> TopicRecord JSON)
  KEYS[2] the topic's partitions hash (partition -> PartitionState JSON)
  KEYS[3] changes channel
  KEYS[4] controller epoch counter
  KEYS[5] topics being deleted (name -> TopicTombstone JSON)
  ARGV[1] topic name
  ARGV[2] TopicRecord JSON
  ARGV[3] the caller's controller epoch
  ARGV[4..] one PartitionState JSON per partition, in partition order
  Returns 1 created, 0 exists, -1 stale controller, -2 being deleted.
]]
--- @include "publishChange"
if tonumber(redis.call('GET', KEYS[4]) or '0') ~= tonumber(ARGV[3]) then return -1 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('HEXISTS', KEYS[5], ARGV[1]) == 1 then return -2 end
redis.call('DEL', KEYS[2])
for i = 4, #ARGV do
  redis.call('HSET', KEYS[2], tostring(i - 4), ARGV[i])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
publishChange(KEYS[3], 'topic', ARGV[1])
return 1
