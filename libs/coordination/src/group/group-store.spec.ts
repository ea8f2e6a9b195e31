import Redis from 'ioredis';
import { ErrorCode } from '@tributary/protocol';
import { Coordination } from '../coordination';
import { Keys } from '../keys';
import type { GroupStore } from './group-store';
import type { StoredGroup, StoredMember } from './group-types';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const member = (memberId: string, partitions: number[], revoking: number[] = []): StoredMember => ({
  memberId,
  clientId: 'c',
  sessionTimeoutMs: 1000,
  rebalanceTimeoutMs: 2000,
  topics: ['t'],
  assignors: ['cooperative-sticky'],
  assignment: partitions.length ? [{ topic: 't', partitions }] : [],
  revoking: revoking.length ? [{ topic: 't', partitions: revoking }] : [],
});

const group = (generationId: number, members: StoredMember[]): StoredGroup => ({
  groupId: 'g',
  state: members.length ? 'Stable' : 'Empty',
  generationId,
  assignor: 'cooperative-sticky',
  leaderId: members[0]?.memberId ?? '',
  members,
});

describe('commitGroupOffsets script (real Redis)', () => {
  let coordination: Coordination;
  let store: GroupStore;
  let cluster: string;

  beforeEach(async () => {
    cluster = `gfence-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    coordination = Coordination.connect({ redisUrl: REDIS_URL, cluster });
    store = coordination.groups;
    expect(await store.acquireLease('g', 1, 10_000)).toBe(true);
  });

  afterEach(async () => {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${new Keys(cluster).prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await coordination.close();
  });

  const commit = (memberId: string, generationId: number, partition: number, offset: number, brokerId = 1) =>
    store.commit({ brokerId, groupId: 'g', memberId, generationId, offsets: [{ topic: 't', partition, offset }] });
  const committed = async (partition: number) => (await store.fetchOffsets('g', [{ topic: 't', partition }]))[0].offset;

  it('accepts the owner of the partition in the current generation, and nobody else', async () => {
    await store.save(1, group(3, [member('a', [0, 1]), member('b', [2, 3])]));
    expect(await commit('a', 3, 0, 10)).toBe(ErrorCode.NONE);
    // b is a current member of the current generation, but partition 0 is a's
    expect(await commit('b', 3, 0, 5)).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    expect(await commit('a', 2, 0, 5)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await commit('gone', 3, 0, 5)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await commit('', -1, 0, 5)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await commit('', 3, 0, 5)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await commit('a', -1, 0, 5)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await commit('a', 3, 0, 5, 2)).toBe(ErrorCode.NOT_COORDINATOR);
    expect(await committed(0)).toBe(10);
  });

  it('refuses a whole commit when one of its partitions is not owned: nothing is written', async () => {
    await store.save(1, group(3, [member('a', [0, 1]), member('b', [2, 3])]));
    const code = await store.commit({
      brokerId: 1,
      groupId: 'g',
      memberId: 'a',
      generationId: 3,
      offsets: [
        { topic: 't', partition: 1, offset: 7 },
        { topic: 't', partition: 2, offset: 7 },
      ],
    });
    expect(code).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    expect(await committed(1)).toBe(-1);
    expect(await committed(2)).toBe(-1);
  });

  it('checks against what Redis holds at write time: a rebalance stored after the caller looked wins', async () => {
    await store.save(1, group(3, [member('a', [0, 1, 2, 3])]));
    expect(await commit('a', 3, 3, 100)).toBe(ErrorCode.NONE);
    // a rebalance moved partition 3 to b (generation 4); a's commits under 3 and under 4 both fail
    await store.save(1, group(4, [member('a', [0, 1]), member('b', [2, 3])]));
    expect(await commit('a', 3, 3, 50)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await commit('a', 4, 3, 50)).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    expect(await commit('b', 4, 3, 120)).toBe(ErrorCode.NONE);
    expect(await committed(3)).toBe(120);
  });

  it('lets a cooperative member commit a partition it is still revoking, which nobody else owns', async () => {
    await store.save(1, group(5, [member('a', [0], [1]), member('b', [2, 3])]));
    expect(await commit('a', 5, 1, 42)).toBe(ErrorCode.NONE);
    expect(await commit('b', 5, 1, 43)).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    expect(await committed(1)).toBe(42);
  });

  it("accepts '' / -1 only while the group has no members (a simple consumer or an admin tool)", async () => {
    // no group stored at all
    expect(await commit('', -1, 0, 3)).toBe(ErrorCode.NONE);
    await store.save(1, group(6, []));
    expect(await commit('', -1, 0, 4)).toBe(ErrorCode.NONE);
    expect(await committed(0)).toBe(4);
    await store.save(1, group(7, [member('a', [0])]));
    expect(await commit('', -1, 0, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await committed(0)).toBe(4);
  });

  it('deleteGroup: only by the lease holder, only while empty, then state, offsets and id are gone', async () => {
    expect(await store.deleteGroup(1, 'g')).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    await store.save(1, group(3, [member('a', [0])]));
    expect(await commit('a', 3, 0, 9)).toBe(ErrorCode.NONE);
    expect(await store.deleteGroup(1, 'g')).toBe(ErrorCode.NON_EMPTY_GROUP);
    await store.save(1, group(4, []));
    expect(await store.deleteGroup(2, 'g')).toBe(ErrorCode.NOT_COORDINATOR);
    expect(await store.deleteGroup(1, 'g')).toBe(ErrorCode.NONE);
    expect(await store.load('g')).toBeNull();
    expect(await committed(0)).toBe(-1);
    expect(await store.listGroupIds()).not.toContain('g');
  });
});
