import type { Coordination } from '../coordination';
import { scratchCluster, type ScratchCluster } from '../testing/scratch-cluster';
import type { ClusterStore } from './cluster-store';
import type { ChangeEvent } from '../types';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ClusterStore (real Redis)', () => {
  let coordination: Coordination;
  let store: ClusterStore;
  let scratch: ScratchCluster;

  beforeEach(() => {
    scratch = scratchCluster();
    coordination = scratch.coordination;
    store = coordination.store;
  });

  afterEach(() => scratch.drop());

  const info = (id: number) => ({ id, host: '127.0.0.1', port: 9000 + id, url: `ws://127.0.0.1:${9000 + id}` });

  it('lists brokers while their TTL lives and drops them after', async () => {
    expect(await store.claimBrokerId(info(1), 'a', 5000)).toEqual({ claimed: true, epoch: 1 });
    expect(await store.renewBrokerId(info(1), 'a', 1, 5000)).toBe('renewed');
    expect(await store.claimBrokerId(info(2), 'b', 150)).toEqual({ claimed: true, epoch: 1 });
    expect((await store.liveBrokers()).map((b) => b.id)).toEqual([1, 2]);
    await sleep(250);
    expect((await store.liveBrokers()).map((b) => b.id)).toEqual([1]);
    expect((await store.snapshot()).brokerEpochs).toEqual(new Map([[1, 1]]));
    await store.releaseBrokerId(1, 'a');
    expect(await store.liveBrokers()).toEqual([]);
  });

  it('gives the controller lease to one broker at a time', async () => {
    const e1 = await store.acquireController(1, 200);
    expect(e1).toBeGreaterThan(0);
    expect(await store.acquireController(2, 200)).toBe(0);
    expect(await store.acquireController(1, 200)).toBe(e1);
    expect(await store.controllerId()).toBe(1);
    await sleep(300);
    const e2 = await store.acquireController(2, 200);
    expect(e2).toBe(e1 + 1);
    await store.releaseController(1); // not the holder: no effect
    expect(await store.controllerId()).toBe(2);
  });

  it('creates a topic once, atomically, only for the current controller', async () => {
    const epoch = await store.acquireController(1, 5000);
    const topic = { name: 't', id: 'x', partitionCount: 2, replicationFactor: 1, configs: {}, createdAt: 1 };
    const parts = [0, 1].map((p) => ({ topic: 't', partition: p, replicas: [1], leader: 1, leaderEpoch: 0, isr: [1] }));
    expect(await store.createTopic(topic, parts, epoch + 1)).toBe('stale-controller');
    expect(await store.getTopic('t')).toBeNull();
    expect(await store.createTopic(topic, parts, epoch)).toBe('created');
    expect(await store.createTopic(topic, parts, epoch)).toBe('exists');
    const snap = await store.snapshot();
    expect(snap.controllerId).toBe(1);
    expect(snap.topics.get('t')?.partitions.map((p) => p.leader)).toEqual([1, 1]);
  });

  it('alters a topic record only if it is still the one read, and only for the current controller', async () => {
    const epoch = await store.acquireController(1, 5000);
    const topic = { name: 't', id: 'x', partitionCount: 1, replicationFactor: 1, configs: {}, createdAt: 1 };
    const parts = [{ topic: 't', partition: 0, replicas: [1], leader: 1, leaderEpoch: 0, isr: [1] }];
    expect(await store.createTopic(topic, parts, epoch)).toBe('created');
    const next = { ...topic, configs: { 'retention.ms': '1000' } };
    expect(await store.updateTopic(topic, next, epoch + 1)).toBe('stale-controller');
    expect(await store.updateTopic(topic, next, epoch)).toBe('updated');
    // a second writer that read the old record is refused, not merged over the first
    expect(await store.updateTopic(topic, { ...topic, configs: { 'segment.ms': '5' } }, epoch)).toBe('changed');
    expect((await store.getTopic('t'))?.configs).toEqual({ 'retention.ms': '1000' });
    expect(await store.updateTopic({ ...topic, name: 'gone' }, { ...next, name: 'gone' }, epoch)).toBe('changed');
    expect(await store.getTopic('gone')).toBeNull();
  });

  it('adds partitions after the last one, with the new count, in one step', async () => {
    const epoch = await store.acquireController(1, 5000);
    const topic = { name: 't', id: 'x', partitionCount: 1, replicationFactor: 1, configs: {}, createdAt: 1 };
    const state = (p: number) => ({ topic: 't', partition: p, replicas: [1], leader: 1, leaderEpoch: 0, isr: [1] });
    expect(await store.createTopic(topic, [state(0)], epoch)).toBe('created');
    const grown = { ...topic, partitionCount: 3 };
    expect(await store.addPartitions(topic, grown, [state(1), state(2)], epoch + 1)).toBe('stale-controller');
    expect(await store.addPartitions(topic, grown, [state(1), state(2)], epoch)).toBe('updated');
    expect(await store.addPartitions(topic, { ...topic, partitionCount: 2 }, [state(1)], epoch)).toBe('changed');
    const snap = await store.snapshot();
    expect(snap.topics.get('t')?.topic.partitionCount).toBe(3);
    expect(snap.topics.get('t')?.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
  });

  it('announces changes on the change feed', async () => {
    const feed = coordination.feed;
    await feed.start();
    const seen: ChangeEvent[] = [];
    feed.onChange((c) => seen.push(c));
    await store.claimBrokerId(info(7), 't', 5000);
    for (let i = 0; i < 50 && seen.length === 0; i++) await sleep(10);
    await feed.close();
    expect(seen[0]).toEqual({ kind: 'broker', subject: '7' });
  });
});
