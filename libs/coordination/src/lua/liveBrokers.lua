--[[
  Lists live brokers: registry entries whose liveness key still exists, each followed by its
  current broker epoch (-1 if none is recorded). Entries whose key expired stay in the hash
  (their address is history) but are not returned.

  Variadic (no key count in the file name): the caller reads the registered ids first (HKEYS
  of the brokers hash) and passes each id's liveness key, so every key read is declared. An
  id registered after that read is simply missed by this call; its registration publishes a
  change, which makes the caller read again.

  KEYS[1] brokers hash
  KEYS[2] broker epochs hash
  KEYS[3..] liveness key of each id, in the order of ARGV
  ARGV[1..] broker ids, one per liveness key
  Returns a flat list: info JSON, epoch, info JSON, epoch, ...
]]
local out = {}
for i = 1, #ARGV do
  if redis.call('EXISTS', KEYS[i + 2]) == 1 then
    local info = redis.call('HGET', KEYS[1], ARGV[i])
    if info then
      table.insert(out, info)
      table.insert(out, redis.call('HGET', KEYS[2], ARGV[i]) or '-1')
    end
  end
end
return out
