--[[
  Renews a claimed broker id. Succeeds only for the holder's token; if the key lapsed (the
  process was paused past its session) it may come back only while nobody claimed the id
  since (its epoch is still the current one). Anything else means another incarnation owns it.

  KEYS[1] the id's liveness key
  KEYS[2] broker epochs hash
  KEYS[3] brokers hash
  KEYS[4] changes channel
  ARGV[1] broker id
  ARGV[2] incarnation token
  ARGV[3] broker epoch
  ARGV[4] ttl ms
  ARGV[5] BrokerInfo JSON
  Returns 0 renewed, 1 renewed after a lapse (announced), -1 fenced.
]]
--- @include "publishChange"
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[2] then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return 0
end
if holder then return -1 end
if tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1') ~= tonumber(ARGV[3]) then return -1 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[5])
publishChange(KEYS[4], 'broker', ARGV[1])
return 1
