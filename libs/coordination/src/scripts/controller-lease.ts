import type { LuaScript } from './script';

/**
 * Takes or renews the controller lease. Renewal only by the holder; a new holder bumps the
 * controller epoch and is announced. Lease time is Redis time (PX), never the broker's clock.
 * KEYS: controller, controller epoch, changes. ARGV: broker id, ttl ms.
 * Returns the controller epoch when held by the caller after the call, else 0.
 */
export const acquireController: LuaScript = {
  name: 'acquireController',
  numberOfKeys: 3,
  lua: `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(redis.call('GET', KEYS[2]) or '0')
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local epoch = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', KEYS[3], cjson.encode({kind = 'controller', subject = ARGV[1]}))
return epoch
`,
};

/** Gives the lease up at shutdown, only if held. KEYS: controller, changes. ARGV: broker id. */
export const releaseController: LuaScript = {
  name: 'releaseController',
  numberOfKeys: 2,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', KEYS[2], cjson.encode({kind = 'controller'}))
  return 1
end
return 0
`,
};
