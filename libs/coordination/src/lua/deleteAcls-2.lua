--[[
  Removes ACLs by key and tells every broker, in one step. Returns the keys that were present
  (a concurrent delete may have taken the others).

  KEYS[1] acls hash
  KEYS[2] changes channel
  ARGV    ACL keys
]]
--- @include "publishChange"
local deleted = {}
for i = 1, #ARGV do
  if redis.call('HDEL', KEYS[1], ARGV[i]) == 1 then table.insert(deleted, ARGV[i]) end
end
if #deleted > 0 then publishChange(KEYS[2], 'security', 'acl') end
return deleted
