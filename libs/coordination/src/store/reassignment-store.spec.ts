import type { Coordination } from '../coordination';
import { scratchCluster, type ScratchCluster } from '../testing/scratch-cluster';
import type { ClusterStore } from './cluster-store';

/** The KIP-455 replica-set change and the leader handover scripts, against a real Redis. */
describe('reassignment and leader election scripts (real Redis)', () => {
  let coordination: Coordination;
  let store: ClusterStore;
  let scratch: ScratchCluster;
  let epoch: number;

  const info = (id: number) => ({ id, host: '127.0.0.1', port: 9000 + id, url: `ws://127.0.0.1:${9000 + id}` });
  const broker = (id: number) => ({ id, epoch: 1 });

  beforeEach(async () => {
    scratch = scratchCluster();
    coordination = scratch.coordination;
    store = coordination.store;
    for (const id of [1, 2, 3, 4]) await store.claimBrokerId(info(id), `t${id}`, 10_000);
    epoch = await store.acquireController(1, 10_000);
    const topic = { name: 't', id: 'x', partitionCount: 1, replicationFactor: 3, configs: {}, createdAt: 1 };
    await store.createTopic(topic, [{ topic: 't', partition: 0, replicas: [1, 2, 3], leader: 1, leaderEpoch: 0, isr: [1, 2, 3] }], epoch);
    await store.claimLeadership('t', 0, broker(1), 10_000, false);
  });

  afterEach(() => scratch.drop());

  it('adds the target to the replica set, then switches to it in one step once the target is in the ISR and the leader stays', async () => {
    expect(await store.beginReassignment('t', 0, [2, 3, 4], epoch + 1)).toBe('stale-controller');
    expect(await store.beginReassignment('t', 0, [2, 3, 4], epoch)).toBe('started');
    let s = await store.partitionState('t', 0);
    expect(s).toMatchObject({ replicas: [2, 3, 4, 1], addingReplicas: [4], removingReplicas: [1], isr: [1, 2, 3], leader: 1 });
    // replica 4 is not in the ISR yet
    expect(await store.completeReassignment('t', 0, s!.leaderEpoch, epoch)).toBe('not-in-isr');
    expect(await store.updateIsr('t', 0, broker(1), s!.leaderEpoch, [1, 2, 3, 4])).toBe('updated');
    // the leader (1) is leaving: it must hand over first
    expect(await store.completeReassignment('t', 0, s!.leaderEpoch, epoch)).toBe('leader-leaving');
    const elected = await store.electLeader('t', 0, 2, s!.leaderEpoch, epoch, 10_000);
    expect(elected).toEqual({ epoch: s!.leaderEpoch + 1 });
    // the old leader is fenced: no more renewals or ISR changes under its epoch
    expect(await store.renewLeaderLease('t', 0, broker(1), s!.leaderEpoch, 10_000)).toBe(false);
    expect(await store.updateIsr('t', 0, broker(1), s!.leaderEpoch, [1, 2])).toBe('stale');
    // the new leader claims its own epoch: the lease the handover gave it is its own
    const claimed = await store.claimLeadership('t', 0, broker(2), 10_000, false);
    expect(claimed).toEqual({ epoch: s!.leaderEpoch + 2 });
    expect(await store.completeReassignment('t', 0, s!.leaderEpoch + 1, epoch)).toBe('stale-epoch');
    expect(await store.completeReassignment('t', 0, s!.leaderEpoch + 2, epoch)).toBe('completed');
    s = await store.partitionState('t', 0);
    expect(s).toEqual({ topic: 't', partition: 0, replicas: [2, 3, 4], isr: [2, 3, 4], leader: 2, leaderEpoch: s!.leaderEpoch });
    expect(await store.completeReassignment('t', 0, s!.leaderEpoch, epoch)).toBe('not-reassigning');
    // an ISR write computed before the change cannot put a removed replica back
    expect(await store.updateIsr('t', 0, broker(2), s!.leaderEpoch, [1, 2, 3, 4])).toBe('updated');
    expect((await store.partitionState('t', 0))?.isr).toEqual([2, 3, 4]);
  });

  it('cancels by reassigning back to the original replicas, and a replica being added leaves the ISR with it', async () => {
    await store.beginReassignment('t', 0, [2, 3, 4], epoch);
    await store.updateIsr('t', 0, broker(1), 1, [1, 2, 3, 4]);
    expect(await store.beginReassignment('t', 0, [1, 2, 3], epoch)).toBe('started');
    expect(await store.partitionState('t', 0)).toEqual({ topic: 't', partition: 0, replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 1 });
    expect(await store.beginReassignment('t', 0, [1, 2, 3], epoch)).toBe('unchanged');
  });

  it('elects only a live replica in the ISR, fenced on the leader epoch it saw', async () => {
    expect(await store.electLeader('t', 0, 4, 1, epoch, 10_000)).toEqual({ refused: 'not-in-isr' });
    expect(await store.electLeader('t', 0, 1, 1, epoch, 10_000)).toEqual({ refused: 'already-leader' });
    expect(await store.electLeader('t', 0, 2, 0, epoch, 10_000)).toEqual({ refused: 'stale-epoch' });
    expect(await store.electLeader('t', 0, 2, 1, epoch + 1, 10_000)).toEqual({ refused: 'stale-controller' });
    await store.releaseBrokerId(3, 't3');
    expect(await store.electLeader('t', 0, 3, 1, epoch, 10_000)).toEqual({ refused: 'not-live' });
    expect(await store.electLeader('t', 0, 2, 1, epoch, 10_000)).toEqual({ epoch: 2 });
    expect(await store.isLeaderLeaseHeld('t', 0)).toBe(true);
  });
});
