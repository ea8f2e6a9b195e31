--[[
  Deletes a user and tells every broker.

  KEYS[1] users hash
  KEYS[2] changes channel
  ARGV[1] user name
  Returns 1 deleted, 0 no such user.
]]
--- @include "publishChange"
local deleted = redis.call('HDEL', KEYS[1], ARGV[1])
if deleted == 1 then publishChange(KEYS[2], 'security', 'user') end
return deleted
