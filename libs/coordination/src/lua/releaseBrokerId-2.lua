--[[
  Gives a broker id up at clean shutdown, so others need not wait for the TTL; only the
  holder's own token can, so a fenced process never deletes its successor's registration.

  KEYS[1] the id's liveness key
  KEYS[2] changes channel
  ARGV[1] broker id
  ARGV[2] incarnation token
  Returns 1 released, 0 not the holder.
]]
--- @include "publishChange"
if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
publishChange(KEYS[2], 'broker', ARGV[1])
return 1
