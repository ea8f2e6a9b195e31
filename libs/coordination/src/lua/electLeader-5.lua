--[[
  Hands a partition's leadership to a chosen replica (preferred leader election, or moving
  the leader off a replica being removed). The new leader must be a live replica in the ISR;
  the leader epoch goes up, so the old leader's lease renewals and ISR changes are refused
  from now on, and the lease is given to the new leader, who claims its own epoch at once
  (claimLeadership accepts the holder). The old leader stays in the ISR: it lost nothing.
  Fenced on the leader epoch the caller saw and on the controller epoch.

  KEYS[1] the topic's partitions hash
  KEYS[2] the partition's leader lease
  KEYS[3] changes channel
  KEYS[4] controller epoch counter
  KEYS[5] the new leader's liveness key
  ARGV[1] partition
  ARGV[2] new leader's broker id
  ARGV[3] the leader epoch the caller saw
  ARGV[4] the caller's controller epoch
  ARGV[5] lease ttl ms
  Returns the new leader epoch, or 0 no such partition, -1 stale controller, -2 leader epoch
  moved on, -3 not a replica or not in the ISR, -4 not live, -5 already the leader.
]]
--- @include "publishChange"
if tonumber(redis.call('GET', KEYS[4]) or '0') ~= tonumber(ARGV[4]) then return -1 end
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local state = cjson.decode(raw)
if tonumber(state.leaderEpoch) ~= tonumber(ARGV[3]) then return -2 end
local me = tonumber(ARGV[2])
if tonumber(state.leader) == me then return -5 end
local isReplica, inIsr = false, false
for _, r in ipairs(state.replicas) do if tonumber(r) == me then isReplica = true end end
for _, r in ipairs(state.isr) do if tonumber(r) == me then inIsr = true end end
if not isReplica or not inIsr then return -3 end
if redis.call('EXISTS', KEYS[5]) == 0 then return -4 end
state.leader = me
state.leaderEpoch = tonumber(state.leaderEpoch) + 1
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(state))
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[5])
publishChange(KEYS[3], 'partition', state.topic)
return state.leaderEpoch
