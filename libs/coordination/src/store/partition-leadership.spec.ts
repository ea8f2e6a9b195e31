import Redis from 'ioredis';
import { Coordination } from '../coordination';
import { Keys } from '../keys';
import type { BrokerIncarnation } from '../types';
import type { ClusterStore } from './cluster-store';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('partition leadership scripts (real Redis)', () => {
  let coordination: Coordination;
  let store: ClusterStore;
  /** a connection of the test's own, to change Redis behind the store's back */
  let redis: Redis;
  let keys: Keys;
  /** each broker's current incarnation, registered in beforeEach */
  const live = new Map<number, BrokerIncarnation>();
  const b = (id: number): BrokerIncarnation => live.get(id) ?? { id, epoch: -1 };

  beforeEach(async () => {
    const cluster = `lead-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    coordination = Coordination.connect({ redisUrl: REDIS_URL, cluster });
    store = coordination.store;
    redis = new Redis(REDIS_URL);
    keys = new Keys(cluster);
    const epoch = await store.acquireController(1, 5000);
    const topic = { name: 't', id: 'x', partitionCount: 1, replicationFactor: 3, configs: {}, createdAt: 1 };
    await store.createTopic(topic, [{ topic: 't', partition: 0, replicas: [1, 2, 3], leader: 1, leaderEpoch: 0, isr: [1, 2] }], epoch);
    live.clear();
    for (const id of [1, 2, 3, 9]) {
      const claim = await store.claimBrokerId({ id, host: 'h', port: 1, url: 'ws://h:1' }, `token-${id}`, 60_000);
      if (!claim.claimed) throw new Error('claim failed');
      live.set(id, { id, epoch: claim.epoch });
    }
  });

  afterEach(async () => {
    const found = await redis.keys(`${keys.prefix}*`);
    if (found.length) await redis.del(...found);
    redis.disconnect();
    await coordination.close();
  });

  it('lets only the current leader of the current epoch renew', async () => {
    expect(await store.renewLeaderLease('t', 0, b(1), 0, 200)).toBe(true);
    expect(await store.renewLeaderLease('t', 0, b(2), 0, 200)).toBe(false);
    expect(await store.renewLeaderLease('t', 0, b(1), 1, 200)).toBe(false);
  });

  it('elects only from the ISR once the lease lapsed, bumping the epoch', async () => {
    await store.renewLeaderLease('t', 0, b(1), 0, 150);
    expect(await store.claimLeadership('t', 0, b(2), 1000, false)).toEqual({ refused: 'lease-held' });
    await sleep(250);
    expect(await store.claimLeadership('t', 0, b(3), 1000, false)).toEqual({ refused: 'not-in-isr' });
    expect(await store.claimLeadership('t', 0, b(9), 1000, true)).toEqual({ refused: 'not-a-replica' });
    expect(await store.claimLeadership('t', 0, b(2), 1000, false)).toEqual({ epoch: 1 });
    // the lapsed leader leaves the ISR in the same step
    expect(await store.partitionState('t', 0)).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2] });
    // the deposed leader can neither renew nor touch the ISR
    expect(await store.renewLeaderLease('t', 0, b(1), 0, 1000)).toBe(false);
    expect(await store.updateIsr('t', 0, b(1), 0, [1])).toBe('stale');
  });

  it('keeps the ISR when the named leader claims its own epoch (first claim, or after a restart)', async () => {
    expect(await store.claimLeadership('t', 0, b(1), 1000, false)).toEqual({ epoch: 1 });
    expect(await store.partitionState('t', 0)).toMatchObject({ leader: 1, leaderEpoch: 1, isr: [1, 2] });
  });

  it('lets a broker re-claim over its own stale lease, and never reuses an epoch its log has seen', async () => {
    await store.renewLeaderLease('t', 0, b(1), 0, 5000);
    expect(await store.claimLeadership('t', 0, b(1), 1000, false)).toEqual({ epoch: 1 });
    await redis.del(keys.leaderLease('t', 0));
    // Redis says epoch 1, but broker 2's log already holds epoch 7 (Redis lost writes): next is 8.
    expect(await store.claimLeadership('t', 0, b(2), 1000, false, 7)).toEqual({ epoch: 8 });
  });

  it('allows an unclean election only when asked, with the claimant as the whole ISR', async () => {
    expect(await store.claimLeadership('t', 0, b(3), 1000, true)).toEqual({ epoch: 1 });
    expect(await store.partitionState('t', 0)).toMatchObject({ leader: 3, leaderEpoch: 1, isr: [3] });
  });

  it('changes the ISR by compare-and-set on leader and epoch, never dropping the leader', async () => {
    expect(await store.updateIsr('t', 0, b(1), 0, [1, 2, 3])).toBe('updated');
    expect((await store.partitionState('t', 0))?.isr).toEqual([1, 2, 3]);
    expect(await store.updateIsr('t', 0, b(1), 0, [2, 3])).toBe('leader-missing');
    expect(await store.updateIsr('t', 0, b(2), 0, [2])).toBe('stale');
    expect(await store.updateIsr('t', 0, b(1), 0, [1])).toBe('updated');
    expect((await store.partitionState('t', 0))?.isr).toEqual([1]);
  });

  it('refuses a claim, renewal or ISR change from an older incarnation of the broker id, accepts the current one', async () => {
    const old = b(2);
    // broker 2 restarts: its old holder proved dead, the id is taken over with a new epoch
    const again = await store.claimBrokerId({ id: 2, host: 'h', port: 2, url: 'ws://h:2' }, 'token-2b', 60_000, 'token-2');
    expect(again).toEqual({ claimed: true, epoch: old.epoch + 1 });
    const current = { id: 2, epoch: old.epoch + 1 };
    expect(await store.claimLeadership('t', 0, old, 1000, false)).toEqual({ refused: 'stale-broker-epoch' });
    expect(await store.claimLeadership('t', 0, { id: 2, epoch: current.epoch + 5 }, 1000, false)).toEqual({ refused: 'stale-broker-epoch' });
    expect((await store.partitionState('t', 0))?.leaderEpoch).toBe(0);
    expect(await store.claimLeadership('t', 0, current, 1000, false)).toEqual({ epoch: 1 });
    expect(await store.renewLeaderLease('t', 0, old, 1, 1000)).toBe(false);
    expect(await store.renewLeaderLease('t', 0, current, 1, 1000)).toBe(true);
    expect(await store.updateIsr('t', 0, old, 1, [2, 3])).toBe('stale-broker-epoch');
    expect(await store.updateIsr('t', 0, current, 1, [2, 3])).toBe('updated');
    expect((await store.partitionState('t', 0))?.isr).toEqual([2, 3]);
  });

  it('refuses a leadership claim from a broker whose registration lapsed', async () => {
    await redis.del(keys.broker(2));
    expect(await store.claimLeadership('t', 0, b(2), 1000, false)).toEqual({ refused: 'stale-broker-epoch' });
    expect(await store.claimLeadership('t', 0, b(1), 1000, false)).toEqual({ epoch: 1 });
  });
});
