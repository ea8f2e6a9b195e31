--[[
  Deletes a consumer group: its state, its committed offsets and its id, fenced by the lease
  and refused while the group has members (Kafka's DeleteGroups answers NON_EMPTY_GROUP), in one
  step so a member cannot join between the check and the delete.

  KEYS[1] the group's coordinator lease
  KEYS[2] the group's state (StoredGroup JSON)
  KEYS[3] the group's offsets hash
  KEYS[4] set of all group ids
  ARGV[1] broker id
  ARGV[2] group id
  Returns 'ok', 'not-coordinator', 'non-empty' or 'not-found'.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'not-coordinator' end
local raw = redis.call('GET', KEYS[2])
if raw then
  local g = cjson.decode(raw)
  if type(g.members) == 'table' and #g.members > 0 then return 'non-empty' end
end
if not raw and redis.call('EXISTS', KEYS[3]) == 0 and redis.call('SISMEMBER', KEYS[4], ARGV[2]) == 0 then return 'not-found' end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('SREM', KEYS[4], ARGV[2])
return 'ok'
