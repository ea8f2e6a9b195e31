--[[
  Grows a topic: the new record (with its larger partition count) and the new partitions'
  states in one step, if the record is still the one the caller read and the topic still has
  exactly the partitions it had. Only the controller calls it, with its controller epoch.

  KEYS[1] topics hash (name -> TopicRecord JSON)
  KEYS[2] the topic's partitions hash (partition -> PartitionState JSON)
  KEYS[3] changes channel
  KEYS[4] controller epoch counter
  ARGV[1] topic name
  ARGV[2] the TopicRecord JSON the caller read
  ARGV[3] the new TopicRecord JSON
  ARGV[4] the caller's controller epoch
  ARGV[5] the number of partitions the topic has now (the first new partition's number)
  ARGV[6..] one PartitionState JSON per new partition, in partition order
  Returns 1 added, 0 the topic changed or is gone, -1 stale controller.
]]
--- @include "publishChange"
if tonumber(redis.call('GET', KEYS[4]) or '0') ~= tonumber(ARGV[4]) then return -1 end
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
local first = tonumber(ARGV[5])
if redis.call('HLEN', KEYS[2]) ~= first then return 0 end
for i = 6, #ARGV do
  local partition = tostring(first + i - 6)
  if redis.call('HEXISTS', KEYS[2], partition) == 1 then return 0 end
end
for i = 6, #ARGV do
  redis.call('HSET', KEYS[2], tostring(first + i - 6), ARGV[i])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
publishChange(KEYS[3], 'topic', ARGV[1])
return 1
