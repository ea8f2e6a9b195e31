import { Buffer } from 'buffer';
import { encodeRecordBatch, type CommittedOffset } from '@tributary/protocol';
import { FakeCluster } from '../testing/fake-broker';
import { fastRetry, quietLogger, testCluster, waitFor } from '../testing/helpers';
import { Consumer } from './consumer';
import type { ConsumerOptions } from './types';

const batch = (...values: string[]): Buffer => encodeRecordBatch(values.map((v, i) => ({ key: null, value: Buffer.from(v), timestamp: 1000 + i })));

/** The SDK's group consumer against the fake broker's coordinator (held to the real one by test/contract). */
describe('Consumer in a group, against the fake cluster', () => {
  let fake: FakeCluster;
  const consumers: Consumer[] = [];

  const consumer = (options: Partial<ConsumerOptions> = {}): { c: Consumer; seen: string[] } => {
    const c = new Consumer(
      { cluster: testCluster(fake.urls), requestTimeoutMs: 2000, retry: fastRetry, logger: quietLogger },
      { groupId: 'billing', maxWaitMs: 50, heartbeatIntervalMs: 100, sessionTimeoutMs: 2000, autoCommit: false, ...options },
    );
    consumers.push(c);
    const seen: string[] = [];
    return { c, seen };
  };

  const start = async (options: Partial<ConsumerOptions> = {}, topic = 'orders'): Promise<{ c: Consumer; seen: string[] }> => {
    const r = consumer(options);
    await r.c.subscribe({ topic, fromBeginning: true });
    await r.c.run({ eachMessage: async ({ partition, message }) => void r.seen.push(`${partition}:${message.value?.toString()}`) });
    return r;
  };

  const describe = () => fake.groups.describeGroups({ groupIds: ['billing'] }).groups[0];
  const committed = (): CommittedOffset[] => fake.groups.fetchOffsets({ groupId: 'billing' }).offsets;
  const partitionsOf = (c: Consumer): number[] => c.assignment().map((tp) => tp.partition);

  beforeEach(async () => {
    fake = await FakeCluster.start(2);
    fake.createTopic('orders', 4, 1);
    for (let p = 0; p < 4; p++) fake.append('orders', p, batch(`a${p}`, `b${p}`));
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
    await fake.stop();
  });

  it('subscribes, receives every partition, commits; a second member takes half and resumes from the commits', async () => {
    const one = await start();
    await waitFor(() => one.seen.length === 8, 5000, 'the first member to read all 8 records');
    expect(one.seen.sort()).toEqual(['0:a0', '0:b0', '1:a1', '1:b1', '2:a2', '2:b2', '3:a3', '3:b3']);
    await one.c.commitOffsets();
    expect(committed().map((o) => [o.partition, o.offset])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
      [3, 2],
    ]);

    const two = await start();
    await waitFor(() => partitionsOf(one.c).length === 2 && partitionsOf(two.c).length === 2, 10_000, 'the partitions to be shared out');
    expect([...partitionsOf(one.c), ...partitionsOf(two.c)].sort()).toEqual([0, 1, 2, 3]);
    const described = describe();
    expect(described).toMatchObject({ state: 'Stable', assignor: 'cooperative-sticky' });
    expect(described.members).toHaveLength(2);

    // the newcomer starts where the group committed, not from the beginning
    for (let p = 0; p < 4; p++) fake.append('orders', p, batch(`c${p}`));
    await waitFor(() => [...one.seen, ...two.seen].filter((s) => s.includes(':c')).length === 4, 5000, 'the new records');
    expect(two.seen.sort()).toEqual(partitionsOf(two.c).map((p) => `${p}:c${p}`));
    expect(one.seen.filter((s) => s.includes(':c')).sort()).toEqual(partitionsOf(one.c).map((p) => `${p}:c${p}`));
  });

  it('a member that leaves hands its partitions to the other, which carries on from the committed offsets', async () => {
    // auto-commit on (its timer out of the way): positions are committed on revocation and on leaving
    const one = await start({ autoCommit: true, autoCommitIntervalMs: 60_000 });
    const two = await start({ autoCommit: true, autoCommitIntervalMs: 60_000 });
    await waitFor(() => partitionsOf(one.c).length === 2 && partitionsOf(two.c).length === 2, 10_000, 'the partitions to be shared out');
    await waitFor(() => one.seen.length + two.seen.length === 8, 5000, 'all 8 records');
    // leaving commits what it read, then the coordinator hands everything to the other member
    const left = partitionsOf(two.c);
    await two.c.disconnect();
    expect(
      committed()
        .filter((o) => left.includes(o.partition))
        .map((o) => [o.partition, o.offset]),
    ).toEqual(left.sort().map((p) => [p, 2]));
    await waitFor(() => partitionsOf(one.c).length === 4, 10_000, 'the remaining member to take every partition');
    for (let p = 0; p < 4; p++) fake.append('orders', p, batch(`d${p}`));
    await waitFor(() => one.seen.filter((s) => s.includes(':d')).length === 4, 5000, 'the new records');
    // nothing twice: the taken-over partitions resumed at the departed member's commits
    expect([...one.seen, ...two.seen].sort()).toEqual([0, 1, 2, 3].flatMap((p) => [`${p}:a${p}`, `${p}:b${p}`, `${p}:d${p}`]).sort());
    expect(describe().members).toHaveLength(1);
  });

  it("when the coordinator's broker stops, the next one takes the group over from what was stored: same generation, the member carries on", async () => {
    fake.createTopic('payments', 2, 2);
    const one = await start({}, 'payments');
    await waitFor(() => partitionsOf(one.c).length === 2, 5000, 'the assignment');
    expect(describe()).toMatchObject({ coordinatorId: 1, generationId: 1 });
    await fake.brokers[0].stop();
    // the member's next heartbeat finds broker 2, which restores the group as stored
    await waitFor(() => describe().coordinatorId === 2, 5000, 'broker 2 to coordinate the group');
    fake.append('payments', 0, batch('after'));
    await waitFor(() => one.seen.includes('0:after'), 5000, 'a record written after the move');
    await one.c.commitOffsets();
    expect(committed().map((o) => [o.partition, o.offset])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(describe()).toMatchObject({ state: 'Stable', generationId: 1, coordinatorId: 2 });
    // broker 1 coming back does not take the group back: the coordinator keeps it while it runs
    await fake.brokers[0].start();
    await new Promise((r) => setTimeout(r, 400));
    expect(describe()).toMatchObject({ state: 'Stable', generationId: 1, coordinatorId: 2 });
    expect(fake.groups.findCoordinator({ groupId: 'billing' }).nodeId).toBe(2);
  });
});
