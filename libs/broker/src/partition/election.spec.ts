import { ErrorCode } from '@tributary/protocol';
import { LEASE_MS, batch, replicaPool, servedBy, ScriptedLinks, waitUntil } from './testing/partition-fakes';

const state = (leader: number, leaderEpoch: number, isr: number[]) => ({ topic: 't', partition: 0, replicas: [1, 2], leader, leaderEpoch, isr });
/** the local safe window: LEASE_SAFETY (0.75) of the lease */
const WINDOW_MS = LEASE_MS * 0.75;

describe('Election (lease claim, renewal and lapse on an injected monotonic clock)', () => {
  const { make, closeAll } = replicaPool();
  afterEach(closeAll);

  const leader = async () => {
    const h = make({ brokerId: 1, initial: state(1, 0, [1, 2]), config: { 'min.insync.replicas': 1 } });
    await waitUntil('the named leader to claim its epoch', () => h.actor.isLeader && h.actor.leaderEpoch === 1);
    return h;
  };

  it('a leader named by metadata claims a new epoch in the store before it takes writes', async () => {
    const h = await leader();
    expect(h.store.state).toMatchObject({ leader: 1, leaderEpoch: 1 });
    expect(h.store.lease).toEqual({ holder: 1, expiresAt: h.clock.now() + LEASE_MS });
    await expect(h.actor.produce(batch('a'), 1, 1000)).resolves.toEqual({ baseOffset: 0, logStartOffset: 0 });
    expect(h.actor.log.latestEpoch()).toBe(1);
  });

  it('renews ahead of the safe window, so writes go on past the first window', async () => {
    const h = await leader();
    const claimedAt = h.clock.now();
    h.clock.advance(1000); // within the window, but less than 0.6 of it is left: time to renew
    h.actor.tick();
    await waitUntil('the renewal', () => h.store.lease?.expiresAt === claimedAt + 1000 + LEASE_MS);
    h.clock.advance(WINDOW_MS - 1000 + 500); // past the first window, inside the renewed one
    await expect(h.actor.produce(batch('a'), 1, 1000)).resolves.toMatchObject({ baseOffset: 0 });
  });

  it('a lease that lapses fails waiting acks=all requests with NOT_LEADER_OR_FOLLOWER at once, and refuses new writes and reads', async () => {
    const h = await leader();
    // broker 2 is in the ISR and never reports: the write waits
    const waiting = h.actor.produce(batch('a'), -1, 60_000);
    let settled = false;
    void waiting.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitUntil('the append', () => h.actor.log.logEndOffset === 1);
    h.store.unreachable = true; // renewals fail from now on
    h.clock.advance(WINDOW_MS - 1);
    h.actor.tick();
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    h.clock.advance(1);
    h.actor.tick();
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.NOT_LEADER_OR_FOLLOWER, message: expect.stringContaining('lapsed') });
    await expect(h.actor.produce(batch('b'), 1, 1000)).rejects.toMatchObject({ code: ErrorCode.NOT_LEADER_OR_FOLLOWER });
    expect(() => h.actor.read(0, 1024)).toThrow(expect.objectContaining({ code: ErrorCode.NOT_LEADER_OR_FOLLOWER }));
    expect(h.actor.log.logEndOffset).toBe(1);
  });

  it('a renewal the store refuses (deposed) closes the window at once', async () => {
    const h = await leader();
    h.store.state = { ...h.store.state, leader: 2, leaderEpoch: 2 };
    h.clock.advance(1000);
    h.actor.tick();
    await waitUntil('the deposed leader to follow the new epoch', () => h.actor.isFollower && h.actor.leaderEpoch === 2);
    await expect(h.actor.produce(batch('a'), 1, 1000)).rejects.toMatchObject({ code: ErrorCode.NOT_LEADER_OR_FOLLOWER });
  });

  it('an in-sync follower claims only once the lease is seen missing, and then leads a new epoch without the old leader', async () => {
    const h1 = await leader();
    const links = new ScriptedLinks(servedBy(() => h1.actor));
    const h2 = make({ brokerId: 2, initial: h1.store.state, store: h1.store, clock: h1.clock, links });
    await waitUntil('the follower to catch up', () => h2.actor.streamCursor !== null);
    h2.actor.tick();
    h2.actor.tick();
    await new Promise((r) => setTimeout(r, 50));
    expect(h2.actor.isFollower).toBe(true); // the lease is held: no claim
    expect(h1.store.state.leaderEpoch).toBe(1);

    // broker 1 stops renewing (stopped or cut off): its Redis lease expires
    h1.clock.advance(LEASE_MS + 1);
    h2.actor.tick(); // missing once: the named leader is live and the partition is young, so wait a tick
    await new Promise((r) => setTimeout(r, 50));
    expect(h1.store.state.leaderEpoch).toBe(1);
    h2.actor.tick();
    await waitUntil('broker 2 to claim and lead', () => h2.actor.isLeader && h2.actor.leaderEpoch === 2);
    expect(h1.store.state).toMatchObject({ leader: 2, leaderEpoch: 2, isr: [2] });
    await expect(h2.actor.produce(batch('x'), 1, 1000)).resolves.toMatchObject({ baseOffset: 0 });
  });
});
