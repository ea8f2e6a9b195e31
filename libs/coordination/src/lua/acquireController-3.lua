--[[
  Takes or renews the controller lease. Renewal only by the holder; a new holder bumps the
  controller epoch and is announced. Lease time is Redis time (PX), never the broker's clock.

  KEYS[1] controller lease (value: broker id)
  KEYS[2] controller epoch counter
  KEYS[3] changes channel
  ARGV[1] broker id
  ARGV[2] ttl ms
  Returns the controller epoch when the caller holds the lease after the call, else 0.
]]
--- @include "publishChange"
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(redis.call('GET', KEYS[2]) or '0')
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local epoch = redis.call('INCR', KEYS[2])
publishChange(KEYS[3], 'controller', ARGV[1])
return epoch
