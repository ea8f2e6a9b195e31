import type { LuaScript } from './script';

/**
 * Registers or renews a broker: the liveness key gets a fresh TTL and the registry hash the
 * latest address. A broker that was not alive before is announced on the change channel.
 * KEYS: brokers hash, broker key, changes channel. ARGV: id, info JSON, ttl ms.
 * Returns 1 when the broker was (re)born, 0 on a plain renewal.
 */
export const registerBroker: LuaScript = {
  name: 'registerBroker',
  numberOfKeys: 3,
  lua: `
local existed = redis.call('EXISTS', KEYS[2])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if existed == 0 then
  redis.call('PUBLISH', KEYS[3], cjson.encode({kind = 'broker', subject = ARGV[1]}))
  return 1
end
return 0
`,
};

/**
 * Lists live brokers: registry entries whose liveness key is still there. Entries whose key
 * expired are left in the hash (their address is history) but not returned.
 * KEYS: brokers hash. ARGV: key prefix for broker keys.
 */
export const liveBrokers: LuaScript = {
  name: 'liveBrokers',
  numberOfKeys: 1,
  lua: `
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  if redis.call('EXISTS', ARGV[1] .. all[i]) == 1 then
    table.insert(out, all[i + 1])
  end
end
return out
`,
};

/**
 * Removes a broker's liveness key at clean shutdown, so others need not wait for the TTL.
 * KEYS: broker key, changes channel. ARGV: id.
 */
export const deregisterBroker: LuaScript = {
  name: 'deregisterBroker',
  numberOfKeys: 2,
  lua: `
if redis.call('DEL', KEYS[1]) == 1 then
  redis.call('PUBLISH', KEYS[2], cjson.encode({kind = 'broker', subject = ARGV[1]}))
end
return 1
`,
};
