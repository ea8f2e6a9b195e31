import type { LuaScript } from './script';

/**
 * Creates a topic and all its partition states in one step, or nothing if the name is taken.
 * Only the controller calls it, with its controller epoch: a deposed controller's write is
 * refused, so two controllers can never both assign the same topic.
 * KEYS: topics hash, the topic's partitions hash, changes, controller-epoch.
 * ARGV: name, topic JSON, controller epoch, then one partition-state JSON per partition.
 * Returns 1 created, 0 exists, -1 stale controller.
 */
export const createTopic: LuaScript = {
  name: 'createTopic',
  numberOfKeys: 4,
  lua: `
if tonumber(redis.call('GET', KEYS[4]) or '0') ~= tonumber(ARGV[3]) then return -1 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2])
for i = 4, #ARGV do
  redis.call('HSET', KEYS[2], tostring(i - 4), ARGV[i])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', KEYS[3], cjson.encode({kind = 'topic', subject = ARGV[1]}))
return 1
`,
};
