import type { LuaScript } from './script';

// Claiming, renewing and releasing a broker id live in broker-identity.ts.

/**
 * Lists live brokers: registry entries whose liveness key is still there, each followed by
 * its current broker epoch (-1 if none is recorded). Entries whose key expired are left in the
 * hash (their address is history) but not returned.
 * KEYS: brokers hash, epochs hash. ARGV: key prefix for broker keys.
 * Returns a flat list: info JSON, epoch, info JSON, epoch, ...
 */
export const liveBrokers: LuaScript = {
  name: 'liveBrokers',
  numberOfKeys: 2,
  lua: `
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  if redis.call('EXISTS', ARGV[1] .. all[i]) == 1 then
    table.insert(out, all[i + 1])
    table.insert(out, redis.call('HGET', KEYS[2], all[i]) or '-1')
  end
end
return out
`,
};
