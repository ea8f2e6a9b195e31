--[[
  Adds ACLs (an existing identical one is kept) and tells every broker, in one step.

  KEYS[1] acls hash (ACL key -> AclBinding JSON)
  KEYS[2] changes channel
  ARGV    pairs: ACL key, AclBinding JSON
  Returns how many were new.
]]
--- @include "publishChange"
local added = 0
for i = 1, #ARGV, 2 do
  added = added + redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
publishChange(KEYS[2], 'security', 'acl')
return added
