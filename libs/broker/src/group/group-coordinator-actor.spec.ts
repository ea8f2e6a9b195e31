import type { GroupStore, StoredGroup } from '@tributary/coordination';
import { ErrorCode, type JoinGroupRequest } from '@tributary/protocol';
import { GroupCoordinatorActor } from './group-coordinator-actor';

/** An in-memory stand-in for the Redis store: the fencing rules of the Lua scripts, minus Redis. */
function fakeStore(): { store: GroupStore; saved: StoredGroup[]; commits: number; lease: { held: boolean } } {
  const state = { saved: [] as StoredGroup[], commits: 0, lease: { held: true } };
  const store = {
    // a save the lease fences off writes nothing, as the Lua script refuses it
    save: async (_b: number, g: StoredGroup) => state.lease.held && (state.saved.push(JSON.parse(JSON.stringify(g)) as StoredGroup), true),
    commit: async () => (state.commits++, ErrorCode.NONE),
  } as unknown as GroupStore;
  return {
    store,
    ...state,
    get commits() {
      return state.commits;
    },
  };
}

const join = (memberId = '', topics = ['t']): JoinGroupRequest => ({
  groupId: 'g',
  memberId,
  clientId: 'c',
  sessionTimeoutMs: 1000,
  rebalanceTimeoutMs: 2000,
  topics,
  assignors: ['range'],
});

describe('GroupCoordinatorActor', () => {
  let now = 0;
  let partitions = 4;
  const make = (stored: StoredGroup | null = null, maxSize?: number) => {
    const f = fakeStore();
    const deposed = { count: 0 };
    const actor = new GroupCoordinatorActor(
      { groupId: 'g', brokerId: 1, store: f.store, partitionCount: () => partitions, now: () => now, onDeposed: () => deposed.count++, maxSize },
      stored,
    );
    return { actor, f, deposed };
  };
  beforeEach(() => {
    now = 1000;
    partitions = 4;
  });

  it('a subscribed topic that grows (createPartitions) starts a rebalance that hands out the new partitions', async () => {
    const { actor } = make();
    const a = await actor.join(join());
    await actor.tick();
    await actor.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1 });
    partitions = 6;
    await actor.tick();
    await expect(actor.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1 })).rejects.toMatchObject({ type: 'REBALANCE_IN_PROGRESS' });
    const again = await actor.join(join(a.memberId));
    expect(again.generationId).toBe(2);
    expect(again.assignment).toEqual([{ topic: 't', partitions: [0, 1, 2, 3, 4, 5] }]);
    await actor.tick();
    await actor.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 2 });
  });

  it('a new member beyond GROUP_MAX_SIZE is GROUP_MAX_SIZE_REACHED; an existing member may still rejoin', async () => {
    const { actor } = make(null, 1);
    const a = await actor.join(join());
    await expect(actor.join(join())).rejects.toMatchObject({ type: 'GROUP_MAX_SIZE_REACHED' });
    expect((await actor.join(join(a.memberId))).errorCode).toBe(ErrorCode.NONE);
  });

  it("binds a member id to its principal and its open connection; a dropped connection's principal may take it over", async () => {
    const { actor } = make();
    let aliceOpen = true;
    const alice = { principal: 'User:alice', connectionId: 'c1', isConnected: () => aliceOpen };
    const a = await actor.join(join(), alice);
    const member = { groupId: 'g', memberId: a.memberId, generationId: a.generationId };
    const bob = { principal: 'User:bob', connectionId: 'c2', isConnected: () => true };
    const alice2 = { principal: 'User:alice', connectionId: 'c3', isConnected: () => true };
    for (const other of [bob, alice2]) {
      await expect(actor.heartbeat(member, other)).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
      await expect(actor.leave(member, other)).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
      await expect(actor.commit({ ...member, offsets: [{ topic: 't', partition: 0, offset: 1 }] }, other)).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
      await expect(actor.join(join(a.memberId), other)).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
    }
    await expect(actor.heartbeat(member, alice)).resolves.toBeUndefined();
    aliceOpen = false;
    await expect(actor.heartbeat(member, bob)).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
    await expect(actor.heartbeat(member, alice2)).resolves.toBeUndefined();
    // the principal is stored with the member, so a successor coordinator keeps the binding
    expect(actor.snapshot().members[0].principal).toBe('User:alice');
  });

  it('a lone first member gets generation 1 and every partition', async () => {
    const { actor } = make();
    const r = await actor.join(join());
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.generationId).toBe(1);
    expect(r.assignment).toEqual([{ topic: 't', partitions: [0, 1, 2, 3] }]);
  });

  it('a second join starts a rebalance; the first learns it by heartbeat, rejoins, and both share', async () => {
    const { actor } = make();
    const a = await actor.join(join());
    const bJoin = actor.join(join());
    await expect(actor.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1 })).rejects.toMatchObject({ type: 'REBALANCE_IN_PROGRESS' });
    const [a2, b] = await Promise.all([actor.join(join(a.memberId)), bJoin]);
    expect(a2.generationId).toBe(2);
    expect(b.generationId).toBe(2);
    expect([...a2.assignment[0].partitions, ...b.assignment[0].partitions].sort()).toEqual([0, 1, 2, 3]);
    await expect(
      actor.commit({ groupId: 'g', memberId: a.memberId, generationId: 1, offsets: [{ topic: 't', partition: 0, offset: 1 }] }),
    ).rejects.toMatchObject({ type: 'ILLEGAL_GENERATION' });
    await expect(actor.commit({ groupId: 'g', memberId: 'nobody', generationId: 2, offsets: [{ topic: 't', partition: 0, offset: 1 }] })).rejects.toMatchObject(
      { type: 'UNKNOWN_MEMBER_ID' },
    );
    // Member ids are random, so which half of the partitions a got is too: it commits one it owns.
    await actor.commit({
      groupId: 'g',
      memberId: a.memberId,
      generationId: 2,
      offsets: [{ topic: 't', partition: a2.assignment[0].partitions[0], offset: 1 }],
    });
  });

  it('a member that stops heartbeating is removed after its session timeout and the rest rebalance', async () => {
    const { actor } = make();
    const a = await actor.join(join());
    const bJoin = actor.join(join());
    await actor.join(join(a.memberId));
    const b = await bJoin;
    now += 600;
    await actor.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 2 });
    now += 600; // b's session (1000 ms) ran out, a's did not
    await actor.tick();
    await expect(actor.heartbeat({ groupId: 'g', memberId: b.memberId, generationId: 2 })).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
    await expect(actor.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 2 })).rejects.toMatchObject({ type: 'REBALANCE_IN_PROGRESS' });
    const a3 = await actor.join(join(a.memberId));
    expect(a3.generationId).toBe(3);
    expect(a3.assignment[0].partitions).toEqual([0, 1, 2, 3]);
  });

  it('a member that does not rejoin within the rebalance timeout is dropped', async () => {
    const { actor } = make();
    const a = await actor.join(join());
    const bJoin = actor.join(join());
    await actor.tick(); // the mailbox has handled b's join: the rebalance deadline is set
    now += 2500;
    await actor.tick();
    const b = await bJoin;
    expect(b.generationId).toBe(2);
    expect(b.assignment[0].partitions).toEqual([0, 1, 2, 3]);
    await expect(actor.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 2 })).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
  });

  it('a successor coordinator resumes the stored generation and members', async () => {
    const stored: StoredGroup = {
      groupId: 'g',
      state: 'Stable',
      generationId: 7,
      assignor: 'range',
      leaderId: 'm',
      members: [
        {
          memberId: 'm',
          clientId: 'c',
          sessionTimeoutMs: 1000,
          rebalanceTimeoutMs: 2000,
          topics: ['t'],
          assignors: ['range'],
          assignment: [{ topic: 't', partitions: [0, 1, 2, 3] }],
        },
      ],
    };
    const { actor } = make(stored);
    await actor.heartbeat({ groupId: 'g', memberId: 'm', generationId: 7 });
    expect((await actor.sync({ groupId: 'g', memberId: 'm', generationId: 7 })).assignment).toEqual(stored.members[0].assignment);
  });

  it('leave rebalances at once; the last leave empties the group', async () => {
    const { actor, f } = make();
    const a = await actor.join(join());
    await actor.leave({ groupId: 'g', memberId: a.memberId });
    expect(f.saved[f.saved.length - 1]).toMatchObject({ state: 'Empty', members: [] });
  });

  it('saves each transition as it was: the rebalance start without the assignment its completion computes', async () => {
    const { actor, f } = make();
    await actor.join(join());
    expect(f.saved.map((g) => [g.state, g.generationId, g.members[0].assignment])).toEqual([
      ['PreparingRebalance', 0, []],
      ['Stable', 1, [{ topic: 't', partitions: [0, 1, 2, 3] }]],
    ]);
  });

  it('a save the lease refuses deposes the coordinator before anyone is answered: parked joins learn NOT_COORDINATOR', async () => {
    const { actor, f, deposed } = make();
    const a = await actor.join(join());
    const b = actor.join(join());
    await expect(actor.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1 })).rejects.toMatchObject({ type: 'REBALANCE_IN_PROGRESS' });
    const saves = f.saved.length;
    f.lease.held = false;
    await expect(actor.join(join(a.memberId))).rejects.toMatchObject({ type: 'NOT_COORDINATOR' });
    expect(await b).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, generationId: -1 });
    expect(f.saved.length).toBe(saves);
    expect(actor.isDeposed).toBe(true);
    expect(deposed.count).toBe(1);
    await expect(actor.join(join())).rejects.toMatchObject({ type: 'NOT_COORDINATOR' });
  });
});
