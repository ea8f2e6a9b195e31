--[[
  Writes a group's whole state, fenced by the lease: a coordinator that lost its lease
  (paused, partitioned) cannot overwrite what its successor wrote.

  KEYS[1] the group's coordinator lease
  KEYS[2] the group's state (StoredGroup JSON)
  KEYS[3] set of all group ids
  ARGV[1] broker id
  ARGV[2] group id
  ARGV[3] StoredGroup JSON
  Returns 1 written, 0 not the lease holder.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[2])
return 1
