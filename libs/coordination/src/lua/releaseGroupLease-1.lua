--[[
  Gives a group's coordinator lease up, only if held.

  KEYS[1] the group's coordinator lease
  ARGV[1] broker id
  Returns 1 released, 0 not the holder.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0
