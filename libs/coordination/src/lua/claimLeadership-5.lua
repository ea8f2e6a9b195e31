--[[
  Claims leadership of a partition whose lease has lapsed. Only an ISR member may claim,
  unless unclean election is allowed; the epoch goes up by one, the previous leader leaves the
  ISR, and the lease is taken, all in the same step. Only the live, current incarnation of
  the broker id may claim.

  KEYS[1] the partition's leader lease
  KEYS[2] the topic's partitions hash
  KEYS[3] changes channel
  KEYS[4] broker epochs hash
  KEYS[5] the claimant's liveness key
  ARGV[1] partition
  ARGV[2] broker id
  ARGV[3] ttl ms
  ARGV[4] '1' to allow unclean election
  ARGV[5] the claimant log's latest leader epoch (-1 for none)
  ARGV[6] the claimant's broker epoch
  Returns the new leader epoch, or -1 lease still held, -2 not in the ISR, -3 no such
  partition, -4 not a replica, -5 stale or unregistered broker epoch.
]]
--- @include "publishChange"
--- @include "brokerEpochIs"
if redis.call('EXISTS', KEYS[5]) == 0 or not brokerEpochIs(KEYS[4], ARGV[2], ARGV[6]) then return -5 end
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[2] then return -1 end
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if not raw then return -3 end
local state = cjson.decode(raw)
local me = tonumber(ARGV[2])
local isReplica = false
for _, r in ipairs(state.replicas) do if tonumber(r) == me then isReplica = true end end
if not isReplica then return -4 end
local inIsr = false
for _, r in ipairs(state.isr) do if tonumber(r) == me then inIsr = true end end
if not inIsr then
  if ARGV[4] ~= '1' then return -2 end
  state.isr = {me}
end
-- The lease lapsed, so the previous leader is presumed failed: it leaves the ISR now (as
-- Kafka's controller drops a fenced broker) and rejoins once caught up, instead of holding
-- acks=all back for a whole replica lag time.
local prev = tonumber(state.leader)
if prev ~= me then
  local isr = {}
  for _, r in ipairs(state.isr) do if tonumber(r) ~= prev then table.insert(isr, tonumber(r)) end end
  state.isr = isr
end
state.leader = me
-- Never below an epoch the claimant's own log has seen: if Redis lost writes, an epoch
-- number must still never be used twice.
state.leaderEpoch = math.max(tonumber(state.leaderEpoch), tonumber(ARGV[5] or '-1')) + 1
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(state))
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
publishChange(KEYS[3], 'partition', state.topic)
return state.leaderEpoch
