--[[
  Merges rate changes into one quota entity's entry: a number sets that rate, null removes it,
  and an entry left with no rate is deleted. Read-modify-write in one step, so two admins
  changing different rates of one entity at once both take effect.

  KEYS[1] the cluster's client-quotas hash
  ARGV[1] the entity's field name (canonical JSON of {principal?, clientId?})
  ARGV[2] JSON object of changes: rate name -> number or null
  Returns the entry's JSON after the change, or false when it was removed.
]]
local current = {}
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored then current = cjson.decode(stored) end
for k, v in pairs(cjson.decode(ARGV[2])) do
  if v == cjson.null then current[k] = nil else current[k] = v end
end
if next(current) == nil then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return false
end
local encoded = cjson.encode(current)
redis.call('HSET', KEYS[1], ARGV[1], encoded)
return encoded
