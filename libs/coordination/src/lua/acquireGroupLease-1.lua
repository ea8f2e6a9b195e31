--[[
  Takes or renews a consumer group's coordinator lease (Redis time, PX).

  KEYS[1] the group's coordinator lease (value: broker id)
  ARGV[1] broker id
  ARGV[2] ttl ms
  Returns 1 when the caller holds the lease after the call, else 0.
]]
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
