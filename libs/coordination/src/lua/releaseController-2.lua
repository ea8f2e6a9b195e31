--[[
  Gives the controller lease up at shutdown, only if held.

  KEYS[1] controller lease
  KEYS[2] changes channel
  ARGV[1] broker id
  Returns 1 released, 0 not the holder.
]]
--- @include "publishChange"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  publishChange(KEYS[2], 'controller', nil)
  return 1
end
return 0
