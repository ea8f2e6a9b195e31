--[[
  Finishes a partition reassignment in one step: once every target replica is in the ISR and
  the leader is one of them, the replica set becomes the target, the ISR loses the removed
  replicas, and the adding/removing lists go. Fenced on the leader epoch the caller saw (a
  leader change in between makes it look again) and on the controller epoch.

  KEYS[1] the topic's partitions hash
  KEYS[2] changes channel
  KEYS[3] controller epoch counter
  ARGV[1] partition
  ARGV[2] the leader epoch the caller checked
  ARGV[3] the caller's controller epoch
  Returns 1 done, 2 no reassignment in progress, 0 no such partition, -1 stale controller,
  -2 leader epoch moved on, -3 a target replica is not in the ISR, -4 the leader is leaving.
]]
--- @include "publishChange"
if tonumber(redis.call('GET', KEYS[3]) or '0') ~= tonumber(ARGV[3]) then return -1 end
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local state = cjson.decode(raw)
if type(state.removingReplicas) ~= 'table' and type(state.addingReplicas) ~= 'table' then return 2 end
if tonumber(state.leaderEpoch) ~= tonumber(ARGV[2]) then return -2 end
local removing = {}
if type(state.removingReplicas) == 'table' then for _, r in ipairs(state.removingReplicas) do removing[tonumber(r)] = true end end
local inIsr = {}
for _, r in ipairs(state.isr) do inIsr[tonumber(r)] = true end
local target = {}
for _, r in ipairs(state.replicas) do
  local id = tonumber(r)
  if not removing[id] then
    if not inIsr[id] then return -3 end
    table.insert(target, id)
  end
end
if removing[tonumber(state.leader)] then return -4 end
local isr = {}
for _, r in ipairs(state.isr) do if not removing[tonumber(r)] then table.insert(isr, tonumber(r)) end end
state.replicas = target
state.isr = isr
state.addingReplicas = nil
state.removingReplicas = nil
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(state))
publishChange(KEYS[2], 'partition', state.topic)
return 1
