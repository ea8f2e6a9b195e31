--[[
  Replaces a topic's record (its configs) if it is still the one the caller read: a
  compare-and-set on the stored JSON, so a change made meanwhile (or a deletion) is never
  overwritten. Only the controller calls it, with its controller epoch.

  KEYS[1] topics hash (name -> TopicRecord JSON)
  KEYS[2] changes channel
  KEYS[3] controller epoch counter
  ARGV[1] topic name
  ARGV[2] the TopicRecord JSON the caller read
  ARGV[3] the new TopicRecord JSON
  ARGV[4] the caller's controller epoch
  Returns 1 updated, 0 the record changed or is gone, -1 stale controller.
]]
--- @include "publishChange"
if tonumber(redis.call('GET', KEYS[3]) or '0') ~= tonumber(ARGV[4]) then return -1 end
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
publishChange(KEYS[2], 'topic', ARGV[1])
return 1
