import Redis from 'ioredis';
import { Coordination, type GroupStore } from '@tributary/coordination';
import { ErrorCode, type AssignorName, type CommitOffsetsRequest, type JoinGroupRequest } from '@tributary/protocol';
import { GroupCoordinatorActor } from './group-coordinator-actor';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The coordinator actor on a real GroupStore (real Redis, own key prefix): its commit rules end to end. */
describe('GroupCoordinatorActor commit fencing (real Redis)', () => {
  let coordination: Coordination;
  let store: GroupStore;
  let prefix: string;
  let now = 1000;

  beforeEach(async () => {
    prefix = `gact-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    coordination = Coordination.connect({ redisUrl: REDIS_URL, cluster: prefix });
    store = coordination.groups;
    expect(await store.acquireLease('g', 1, 60_000)).toBe(true);
    now = 1000;
  });

  afterEach(async () => {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`*${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await coordination.close();
  });

  const make = () => new GroupCoordinatorActor({ groupId: 'g', brokerId: 1, store, partitionCount: () => 4, now: () => now, onDeposed: () => undefined }, null);
  const join = (memberId = '', assignors: AssignorName[] = ['range']): JoinGroupRequest => ({
    groupId: 'g',
    memberId,
    clientId: 'c',
    sessionTimeoutMs: 1000,
    rebalanceTimeoutMs: 2000,
    topics: ['t'],
    assignors,
  });
  const commit = (memberId: string, generationId: number, partition: number, offset: number): CommitOffsetsRequest => ({
    groupId: 'g',
    memberId,
    generationId,
    offsets: [{ topic: 't', partition, offset }],
  });
  const committed = async (partition: number) => (await store.fetchOffsets('g', [{ topic: 't', partition }]))[0].offset;

  async function twoMembers(assignors: AssignorName[] = ['range']) {
    const actor = make();
    const a = await actor.join(join('', assignors));
    const bJoin = actor.join(join('', assignors));
    const [a2, b] = await Promise.all([actor.join(join(a.memberId, assignors)), bJoin]);
    return { actor, a: a2, b };
  }

  it('accepts the owner; refuses a non-owner, an old generation, an unknown member and a memberless commit', async () => {
    const { actor, a, b } = await twoMembers();
    expect(a.generationId).toBe(2);
    const mine = a.assignment[0].partitions[0];
    const theirs = b.assignment[0].partitions[0];
    await actor.commit(commit(a.memberId, 2, mine, 10));
    await expect(actor.commit(commit(a.memberId, 2, theirs, 10))).rejects.toMatchObject({ type: 'FENCED_MEMBER_EPOCH', code: ErrorCode.FENCED_MEMBER_EPOCH });
    await expect(actor.commit(commit(a.memberId, 1, mine, 5))).rejects.toMatchObject({ type: 'ILLEGAL_GENERATION' });
    await expect(actor.commit(commit('nobody', 2, mine, 5))).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
    await expect(actor.commit(commit('', -1, mine, 5))).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
    expect(await committed(mine)).toBe(10);
    expect(await committed(theirs)).toBe(-1);
  });

  it('a member removed for its session cannot commit; the new owner can, and the offset never goes back', async () => {
    const { actor, a, b } = await twoMembers();
    const p = a.assignment[0].partitions[0];
    await actor.commit(commit(a.memberId, 2, p, 100));
    now += 600;
    await actor.heartbeat({ groupId: 'g', memberId: b.memberId, generationId: 2 });
    now += 600; // a's session ran out
    await actor.tick();
    const b3 = await actor.join(join(b.memberId));
    expect(b3.generationId).toBe(3);
    expect(b3.assignment[0].partitions).toContain(p);
    await actor.commit(commit(b.memberId, 3, p, 300));
    // the stale member resumes with the identity it fetched under, or any later one it could hold
    await expect(actor.commit(commit(a.memberId, 2, p, 150))).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
    await expect(actor.commit(commit('', -1, p, 150))).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
    expect(await committed(p)).toBe(300);
  });

  it("'' / -1 commits work on a group with no members (simple consumers, admin offset tools)", async () => {
    const actor = make();
    await actor.commit(commit('', -1, 0, 7));
    expect(await committed(0)).toBe(7);
    const a = await actor.join(join());
    await expect(actor.commit(commit('', -1, 0, 1))).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
    await actor.leave({ groupId: 'g', memberId: a.memberId });
    await actor.commit(commit('', -1, 0, 9));
    expect(await committed(0)).toBe(9);
  });

  it("cooperative-sticky: a partition being revoked stays its old owner's until it rejoins, then only the new owner commits it", async () => {
    const coop: AssignorName[] = ['cooperative-sticky'];
    const actor = make();
    const a1 = await actor.join(join('', coop));
    expect(a1.assignment[0].partitions).toEqual([0, 1, 2, 3]);
    await actor.commit(commit(a1.memberId, 1, 3, 10));
    // b joins: the rebalance is in progress, generation 1 still stands, a still owns everything
    const bJoin = actor.join(join('', coop));
    await actor.commit(commit(a1.memberId, 1, 3, 11));
    const [a2, b2] = await Promise.all([actor.join(join(a1.memberId, coop)), bJoin]);
    expect(a2.generationId).toBe(2);
    const moving = [0, 1, 2, 3].filter((p) => !a2.assignment.flatMap((t) => t.partitions).includes(p));
    expect(moving).toHaveLength(2);
    expect(b2.assignment).toEqual([]); // withheld for one generation
    // a revokes the moving partitions and commits its final position under generation 2; b may not
    await actor.commit(commit(a1.memberId, 2, moving[0], 20));
    await expect(actor.commit(commit(b2.memberId, 2, moving[0], 21))).rejects.toMatchObject({ type: 'FENCED_MEMBER_EPOCH' });
    // a rejoins without them: generation 3 hands them to b, and a can no longer commit them
    const bRejoin = actor.join(join(b2.memberId, coop));
    const [a3, b3] = await Promise.all([actor.join(join(a1.memberId, coop)), bRejoin]);
    expect(b3.assignment[0].partitions).toEqual(moving);
    await expect(actor.commit(commit(a1.memberId, a3.generationId, moving[0], 22))).rejects.toMatchObject({ type: 'FENCED_MEMBER_EPOCH' });
    await actor.commit(commit(b3.memberId, b3.generationId, moving[0], 30));
    expect(await committed(moving[0])).toBe(30);
  });
});
