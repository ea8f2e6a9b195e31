import { BROKER_EPOCH_IS } from './broker-identity';
import type { LuaScript } from './script';

/**
 * Partition leadership, the way DESIGN.md's "Coordination in Redis" asks: a lease per
 * partition in Redis time, a claim that only an ISR member can make and that bumps the
 * leader epoch in the same step, and ISR changes that are compare-and-set on the epoch, so
 * a deposed leader can change nothing.
 *
 * State is the partition-state JSON in the topic's partitions hash (field = partition).
 * Each script also checks the caller's broker epoch (KIP-380) against the registry, so an
 * older incarnation of a broker id can neither claim, renew nor change the ISR.
 */

/**
 * Renews the lease of the current leader. Refused when the state names another leader or
 * another epoch, when someone else holds the lease, or when the broker epoch is not current.
 * KEYS: lease, partitions hash, broker epochs hash. ARGV: partition, broker id, leader epoch, ttl ms, broker epoch.
 * Returns 1 renewed, 0 refused.
 */
export const renewLeaderLease: LuaScript = {
  name: 'renewLeaderLease',
  numberOfKeys: 3,
  lua: `
if not ${BROKER_EPOCH_IS('KEYS[3]', 'ARGV[2]', 'ARGV[5]')} then return 0 end
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if not raw then return 0 end
local state = cjson.decode(raw)
if tonumber(state.leader) ~= tonumber(ARGV[2]) or tonumber(state.leaderEpoch) ~= tonumber(ARGV[3]) then return 0 end
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
return 1
`,
};

/**
 * Claims leadership of a partition whose lease has lapsed. Only an ISR member may claim,
 * unless unclean election is allowed; the epoch goes up by one, the previous leader leaves the
 * ISR, and the lease is taken, all in the same step. Only the live, current incarnation of
 * the broker id may claim. KEYS: lease, partitions hash, changes, broker epochs hash, the
 * claimant's liveness key. ARGV: partition, broker id, ttl ms, '1' to allow unclean election,
 * the claimant log's latest epoch, the claimant's broker epoch. Returns the new epoch, -1
 * lease still held, -2 not in the ISR, -3 no such partition, -4 not a replica, -5 stale or
 * unregistered broker epoch.
 */
export const claimLeadership: LuaScript = {
  name: 'claimLeadership',
  numberOfKeys: 5,
  lua: `
if redis.call('EXISTS', KEYS[5]) == 0 or not ${BROKER_EPOCH_IS('KEYS[4]', 'ARGV[2]', 'ARGV[6]')} then return -5 end
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[2] then return -1 end
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if not raw then return -3 end
local state = cjson.decode(raw)
local me = tonumber(ARGV[2])
local isReplica = false
for _, r in ipairs(state.replicas) do if tonumber(r) == me then isReplica = true end end
if not isReplica then return -4 end
local inIsr = false
for _, r in ipairs(state.isr) do if tonumber(r) == me then inIsr = true end end
if not inIsr then
  if ARGV[4] ~= '1' then return -2 end
  state.isr = {me}
end
-- The lease lapsed, so the previous leader is presumed failed: it leaves the ISR now (as
-- Kafka's controller drops a fenced broker) and rejoins once caught up, instead of holding
-- acks=all back for a whole replica lag time.
local prev = tonumber(state.leader)
if prev ~= me then
  local isr = {}
  for _, r in ipairs(state.isr) do if tonumber(r) ~= prev then table.insert(isr, tonumber(r)) end end
  state.isr = isr
end
state.leader = me
-- Never below an epoch the claimant's own log has seen: if Redis lost writes, an epoch
-- number must still never be used twice.
state.leaderEpoch = math.max(tonumber(state.leaderEpoch), tonumber(ARGV[5] or '-1')) + 1
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(state))
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('PUBLISH', KEYS[3], cjson.encode({kind = 'partition', subject = state.topic}))
return state.leaderEpoch
`,
};

/**
 * Replaces the ISR, only for the leader of the given epoch and the current incarnation of that
 * leader's broker id, and never without the leader in it.
 * KEYS: partitions hash, changes, broker epochs hash. ARGV: partition, leader id, leader epoch,
 * new ISR as a JSON array, the leader's broker epoch.
 * Returns 1 written, 0 stale leader or epoch, -1 leader missing from the new ISR, -2 stale broker epoch.
 */
export const updateIsr: LuaScript = {
  name: 'updateIsr',
  numberOfKeys: 3,
  lua: `
if not ${BROKER_EPOCH_IS('KEYS[3]', 'ARGV[2]', 'ARGV[5]')} then return -2 end
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local state = cjson.decode(raw)
if tonumber(state.leader) ~= tonumber(ARGV[2]) or tonumber(state.leaderEpoch) ~= tonumber(ARGV[3]) then return 0 end
local isr = cjson.decode(ARGV[4])
local hasLeader = false
for _, r in ipairs(isr) do if tonumber(r) == tonumber(ARGV[2]) then hasLeader = true end end
if not hasLeader then return -1 end
state.isr = isr
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(state))
redis.call('PUBLISH', KEYS[2], cjson.encode({kind = 'partition', subject = state.topic}))
return 1
`,
};
