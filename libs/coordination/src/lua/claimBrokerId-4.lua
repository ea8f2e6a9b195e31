--[[
  Claims a broker id at process start. Refused while another token holds the liveness key,
  unless that token is the `takeover` one: the caller proved its holder dead (a stale lock on
  the same data directory recorded it). The same token claiming again (a retry after a lost
  reply) gets its epoch back unchanged.

  KEYS[1] brokers hash (id -> BrokerInfo JSON)
  KEYS[2] the id's liveness key (value: holder's incarnation token, with TTL)
  KEYS[3] broker epochs hash
  KEYS[4] changes channel
  ARGV[1] broker id
  ARGV[2] BrokerInfo JSON
  ARGV[3] ttl ms
  ARGV[4] incarnation token
  ARGV[5] takeover token ('' for none)
  ARGV[6] epoch floor (highest broker epoch the data directory has used)
  Returns {epoch, 1} claimed; {epoch, 0} already ours; {-1, holder's info JSON or ''} held by another.
]]
--- @include "publishChange"
local holder = redis.call('GET', KEYS[2])
if holder == ARGV[4] then
  redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
  return {tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '-1'), 0}
end
if holder and (ARGV[5] == '' or holder ~= ARGV[5]) then
  return {-1, redis.call('HGET', KEYS[1], ARGV[1]) or ''}
end
local epoch = redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
-- Never below an epoch this broker has already used: if Redis lost its data, an epoch
-- number must still never be handed out twice.
local floor = tonumber(ARGV[6])
if epoch <= floor then
  epoch = floor + 1
  redis.call('HSET', KEYS[3], ARGV[1], epoch)
end
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
publishChange(KEYS[4], 'broker', ARGV[1])
return {epoch, 1}
