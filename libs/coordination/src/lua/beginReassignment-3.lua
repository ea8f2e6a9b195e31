--[[
  Starts (or replaces) a partition reassignment, Kafka's KIP-455 way: the replica set becomes
  target ∪ current (target first, so the preferred replica is the target's first), and the
  partition remembers which replicas are being added and which removed. The ISR and the
  leader stay as they are: new replicas start as followers and join the ISR once caught up.
  Only the controller calls it, with its controller epoch.

  KEYS[1] the topic's partitions hash
  KEYS[2] changes channel
  KEYS[3] controller epoch counter
  ARGV[1] partition
  ARGV[2] target replicas as a JSON array of broker ids
  ARGV[3] the caller's controller epoch
  Returns 1 started, 2 nothing to do (already the replica set), 0 no such partition, -1 stale controller.
]]
--- @include "publishChange"
if tonumber(redis.call('GET', KEYS[3]) or '0') ~= tonumber(ARGV[3]) then return -1 end
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local state = cjson.decode(raw)
local target = cjson.decode(ARGV[2])
-- the original replicas are the current set minus whatever an earlier reassignment was adding
local original = {}
local wasAdding = {}
if type(state.addingReplicas) == 'table' then for _, r in ipairs(state.addingReplicas) do wasAdding[tonumber(r)] = true end end
for _, r in ipairs(state.replicas) do if not wasAdding[tonumber(r)] then table.insert(original, tonumber(r)) end end
local inTarget = {}
for _, r in ipairs(target) do inTarget[tonumber(r)] = true end
local inOriginal = {}
for _, r in ipairs(original) do inOriginal[tonumber(r)] = true end
local replicas, adding, removing = {}, {}, {}
for _, r in ipairs(target) do
  table.insert(replicas, tonumber(r))
  if not inOriginal[tonumber(r)] then table.insert(adding, tonumber(r)) end
end
for _, r in ipairs(original) do
  if not inTarget[r] then
    table.insert(replicas, r)
    table.insert(removing, r)
  end
end
if #adding == 0 and #removing == 0 and state.addingReplicas == nil and state.removingReplicas == nil then
  local same = #target == #state.replicas
  for i, r in ipairs(target) do if tonumber(state.replicas[i]) ~= tonumber(r) then same = false end end
  if same then return 2 end
end
-- A replica an earlier reassignment was adding and this one drops leaves the ISR with it.
local isr = {}
for _, r in ipairs(state.isr) do
  local id = tonumber(r)
  if inTarget[id] or inOriginal[id] then table.insert(isr, id) end
end
state.replicas = replicas
state.isr = isr
-- Back to the original set (a reassignment undone): nothing is in flight any more.
if #adding == 0 and #removing == 0 then
  state.addingReplicas = nil
  state.removingReplicas = nil
else
  state.addingReplicas = adding
  state.removingReplicas = removing
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(state))
publishChange(KEYS[2], 'partition', state.topic)
return 1
