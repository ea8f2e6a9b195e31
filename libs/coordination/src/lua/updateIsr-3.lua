--[[
  Replaces a partition's ISR, only for the leader of the given epoch and the current
  incarnation of that leader's broker id, and never without the leader in it.

  KEYS[1] the topic's partitions hash
  KEYS[2] changes channel
  KEYS[3] broker epochs hash
  ARGV[1] partition
  ARGV[2] leader's broker id
  ARGV[3] leader epoch
  ARGV[4] new ISR as a JSON array of broker ids
  ARGV[5] the leader's broker epoch
  Returns 1 written, 0 stale leader or epoch, -1 leader missing from the new ISR, -2 stale broker epoch.
]]
--- @include "publishChange"
--- @include "brokerEpochIs"
if not brokerEpochIs(KEYS[3], ARGV[2], ARGV[5]) then return -2 end
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local state = cjson.decode(raw)
if tonumber(state.leader) ~= tonumber(ARGV[2]) or tonumber(state.leaderEpoch) ~= tonumber(ARGV[3]) then return 0 end
-- Only replicas may be in the ISR: a reassignment may have removed one since the leader
-- computed this set.
local isReplica = {}
for _, r in ipairs(state.replicas) do isReplica[tonumber(r)] = true end
local isr = {}
for _, r in ipairs(cjson.decode(ARGV[4])) do if isReplica[tonumber(r)] then table.insert(isr, tonumber(r)) end end
local hasLeader = false
for _, r in ipairs(isr) do if tonumber(r) == tonumber(ARGV[2]) then hasLeader = true end end
if not hasLeader then return -1 end
state.isr = isr
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(state))
publishChange(KEYS[2], 'partition', state.topic)
return 1
