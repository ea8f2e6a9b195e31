--[[
  Commits offsets, fenced four ways in one step, so a rebalance cannot slip in between check
  and write: the caller holds the lease, the member is in the stored group, its generation is
  the stored one, and every partition committed is in that member's stored assignment (or
  still being revoked by it). Generation -1 with an empty member id is a commit from outside
  the group (a simple consumer, an admin tool), allowed only while the group has no members.

  KEYS[1] the group's coordinator lease
  KEYS[2] the group's state (StoredGroup JSON)
  KEYS[3] the group's offsets hash ("topic:partition" -> StoredOffset JSON)
  KEYS[4] set of all group ids
  ARGV[1] broker id
  ARGV[2] group id
  ARGV[3] generation id
  ARGV[4] member id
  ARGV[5..] field/value pairs: "topic:partition", StoredOffset JSON
  Returns a symbolic result, mapped to a wire error code by GroupStore: 'ok',
  'not-coordinator', 'illegal-generation', 'unknown-member' or 'fenced-member'.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'not-coordinator' end
local raw = redis.call('GET', KEYS[2])
local generation = tonumber(ARGV[3])
local members = {}
local current = 0
if raw then
  local g = cjson.decode(raw)
  if type(g.members) == 'table' then members = g.members end
  current = tonumber(g.generationId) or 0
end
if ARGV[4] == '' and generation == -1 then
  if #members > 0 then return 'unknown-member' end
else
  local member = nil
  for i = 1, #members do
    if members[i].memberId == ARGV[4] then member = members[i] end
  end
  if not member then return 'unknown-member' end
  if generation ~= current then return 'illegal-generation' end
  local owned = {}
  local function own(list)
    if type(list) ~= 'table' then return end
    for _, t in ipairs(list) do
      for _, p in ipairs(t.partitions) do owned[t.topic .. ':' .. string.format('%d', p)] = true end
    end
  end
  own(member.assignment)
  own(member.revoking)
  for i = 5, #ARGV, 2 do
    if not owned[ARGV[i]] then return 'fenced-member' end
  end
end
for i = 5, #ARGV, 2 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
end
redis.call('SADD', KEYS[4], ARGV[2])
return 'ok'
