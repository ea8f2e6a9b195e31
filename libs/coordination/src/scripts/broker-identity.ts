import type { LuaScript } from './script';

/**
 * Broker identity, Kafka's way: one live process per broker id, told apart by an incarnation
 * token (random per process start), and a broker epoch (KIP-380) that grows with every new
 * incarnation of the id, so whatever an older incarnation still sends can be fenced.
 *
 * The liveness key holds the holder's token; the epochs hash holds each id's current epoch.
 */

/**
 * Claims a broker id at process start. Refused while another token holds the liveness key,
 * unless that token is the `takeover` one: the caller proved its holder dead (a stale lock on
 * the same data directory recorded it). The same token claiming again (a retry after a lost
 * reply) gets its epoch back unchanged.
 * KEYS: brokers hash, liveness key, epochs hash, changes channel.
 * ARGV: id, info JSON, ttl ms, token, takeover token ('' for none), epoch floor.
 * Returns {epoch, 1} when claimed, {epoch, 0} when already ours, {-1, holder's info JSON} when held.
 */
export const claimBrokerId: LuaScript = {
  name: 'claimBrokerId',
  numberOfKeys: 4,
  lua: `
local holder = redis.call('GET', KEYS[2])
if holder == ARGV[4] then
  redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
  return {tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '-1'), 0}
end
if holder and (ARGV[5] == '' or holder ~= ARGV[5]) then
  return {-1, redis.call('HGET', KEYS[1], ARGV[1]) or ''}
end
local epoch = redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
-- Never below an epoch this broker has already used: if Redis lost its data, an epoch
-- number must still never be handed out twice.
local floor = tonumber(ARGV[6])
if epoch <= floor then
  epoch = floor + 1
  redis.call('HSET', KEYS[3], ARGV[1], epoch)
end
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', KEYS[4], cjson.encode({kind = 'broker', subject = ARGV[1]}))
return {epoch, 1}
`,
};

/**
 * Renews a claimed id. Succeeds only for the holder's token; if the key lapsed (the process
 * was paused past its session) it may come back only while nobody claimed the id since (its
 * epoch is still the current one). Anything else means another incarnation owns the id.
 * KEYS: liveness key, epochs hash, brokers hash, changes channel. ARGV: id, token, broker epoch, ttl ms, info JSON.
 * Returns 0 renewed, 1 renewed after a lapse (announced), -1 fenced.
 */
export const renewBrokerId: LuaScript = {
  name: 'renewBrokerId',
  numberOfKeys: 4,
  lua: `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[2] then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return 0
end
if holder then return -1 end
if tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1') ~= tonumber(ARGV[3]) then return -1 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[5])
redis.call('PUBLISH', KEYS[4], cjson.encode({kind = 'broker', subject = ARGV[1]}))
return 1
`,
};

/**
 * Gives the id up at clean shutdown, so others need not wait for the TTL; only the holder's
 * own token can, so a fenced process never deletes its successor's registration.
 * KEYS: liveness key, changes channel. ARGV: id, token. Returns 1 released, 0 not the holder.
 */
export const releaseBrokerId: LuaScript = {
  name: 'releaseBrokerId',
  numberOfKeys: 2,
  lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', KEYS[2], cjson.encode({kind = 'broker', subject = ARGV[1]}))
return 1
`,
};

/**
 * Lua fragment shared by the leadership scripts: true when `id`'s current broker epoch is
 * `epoch`. A nil stored epoch (the id never registered) matches nothing.
 */
export const BROKER_EPOCH_IS = (epochsKey: string, id: string, epoch: string): string =>
  `(tonumber(redis.call('HGET', ${epochsKey}, ${id}) or '-1') == tonumber(${epoch}))`;
