--[[
  The last step of a topic deletion: drops the tombstone (if it still names this incarnation)
  and the brokers' acknowledgements, so the name may be created again.

  KEYS[1] topics being deleted (name -> TopicTombstone JSON)
  KEYS[2] the incarnation's deletion acks (set of broker ids)
  KEYS[3] changes channel
  ARGV[1] topic name
  ARGV[2] topic id
  Returns 1 cleared, 0 nothing to clear (already cleared, or another incarnation's).
]]
--- @include "publishChange"
redis.call('DEL', KEYS[2])
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
if cjson.decode(raw).id ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
publishChange(KEYS[3], 'topic', ARGV[1])
return 1
