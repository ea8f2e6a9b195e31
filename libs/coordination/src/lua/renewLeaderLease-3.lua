--[[
  Renews the partition lease of the current leader. Refused when the state names another
  leader or another epoch, when someone else holds the lease, or when the caller's broker
  epoch is not the current one of its id (an older incarnation).

  KEYS[1] the partition's leader lease (value: broker id)
  KEYS[2] the topic's partitions hash
  KEYS[3] broker epochs hash
  ARGV[1] partition
  ARGV[2] broker id
  ARGV[3] leader epoch
  ARGV[4] ttl ms
  ARGV[5] broker epoch
  Returns 1 renewed, 0 refused.
]]
--- @include "brokerEpochIs"
if not brokerEpochIs(KEYS[3], ARGV[2], ARGV[5]) then return 0 end
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if not raw then return 0 end
local state = cjson.decode(raw)
if tonumber(state.leader) ~= tonumber(ARGV[2]) or tonumber(state.leaderEpoch) ~= tonumber(ARGV[3]) then return 0 end
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
return 1
