import type { LuaScript } from '../scripts';

/**
 * Takes or renews a group's coordinator lease (Redis time, PX). KEYS: lease. ARGV: broker id, ttl ms.
 * Returns 1 when the caller holds it after the call.
 */
export const acquireGroupLease: LuaScript = {
  name: 'acquireGroupLease',
  numberOfKeys: 1,
  lua: `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`,
};

/** Gives a lease up, only if held. KEYS: lease. ARGV: broker id. */
export const releaseGroupLease: LuaScript = {
  name: 'releaseGroupLease',
  numberOfKeys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0
`,
};

/**
 * Writes a group's whole state, fenced by the lease: a coordinator that lost its lease (paused,
 * partitioned) cannot overwrite what its successor wrote. KEYS: lease, group, groups set.
 * ARGV: broker id, group id, StoredGroup JSON. Returns 1 written, 0 not the holder.
 */
export const saveGroup: LuaScript = {
  name: 'saveGroup',
  numberOfKeys: 3,
  lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[2])
return 1
`,
};

/**
 * Commits offsets, fenced four ways in one step, so a rebalance cannot slip in between check and
 * write: the caller holds the lease, the member is in the stored group, its generation is the
 * stored one, and every partition committed is in that member's stored assignment (or still
 * being revoked by it). A generation of -1 with an empty member id is a commit from outside the
 * group (a simple consumer, an admin tool), allowed only while the group has no members.
 * KEYS: lease, group, offsets hash, groups set. ARGV: broker id, group id, generation, member id,
 * then field/value pairs (field "topic:partition"). Returns a wire error code: 0,
 * 16 NOT_COORDINATOR, 22 ILLEGAL_GENERATION, 25 UNKNOWN_MEMBER_ID, 110 FENCED_MEMBER_EPOCH.
 */
export const commitGroupOffsets: LuaScript = {
  name: 'commitGroupOffsets',
  numberOfKeys: 4,
  lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 16 end
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
  if #members > 0 then return 25 end
else
  local member = nil
  for i = 1, #members do
    if members[i].memberId == ARGV[4] then member = members[i] end
  end
  if not member then return 25 end
  if generation ~= current then return 22 end
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
    if not owned[ARGV[i]] then return 110 end
  end
end
for i = 5, #ARGV, 2 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
end
redis.call('SADD', KEYS[4], ARGV[2])
return 0
`,
};

export const GROUP_SCRIPTS: readonly LuaScript[] = [acquireGroupLease, releaseGroupLease, saveGroup, commitGroupOffsets];
