--[[
  Creates a user or replaces its SCRAM credentials, and tells every broker.

  KEYS[1] users hash (name -> StoredUser JSON)
  KEYS[2] changes channel
  ARGV[1] user name
  ARGV[2] StoredUser JSON
  Returns 1 created, 0 replaced.
]]
--- @include "publishChange"
local created = redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
publishChange(KEYS[2], 'security', 'user')
return created
