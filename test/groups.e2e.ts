import { GroupMembershipError, Tributary } from '@tributary/client';
import { assertNoSharedPartitions, FAST_BROKER_ENV, startMember, waitForBalanced, type Member } from './support/group-helpers';
import { waitFor } from './support/free-port';
import { TestCluster } from './support/test-cluster';

/**
 * Consumer groups across real broker processes: balanced assignment, idle members, failover of
 * members and of the coordinator, cooperative rebalancing, slow handlers, fencing and lag.
 */
jest.setTimeout(180_000);

describe('consumer groups', () => {
  let cluster: TestCluster;
  let client: Tributary;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 3, brokerEnv: FAST_BROKER_ENV });
    client = new Tributary({ brokers: [cluster.brokers[0].url], retry: { retries: 20, initialRetryTimeMs: 100, maxRetryTimeMs: 1000 } });
    const admin = client.admin();
    await waitFor('three brokers', async () => (await admin.describeCluster()).brokers.length === 3);
    await admin.disconnect();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  async function topicWith(name: string, partitions: number, recordsPerPartition: number): Promise<void> {
    const admin = client.admin();
    await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }] });
    await admin.disconnect();
    await produce(name, partitions, recordsPerPartition);
  }

  async function produce(name: string, partitions: number, recordsPerPartition: number): Promise<void> {
    const producer = client.producer({ acks: 'all', lingerMs: 1 });
    for (let p = 0; p < partitions; p++) {
      await producer.send({ topic: name, messages: Array.from({ length: recordsPerPartition }, (_, i) => ({ partition: p, value: `${p}-${i}` })) });
    }
    await producer.disconnect();
  }

  async function stopAll(members: Member[]): Promise<void> {
    await Promise.all(members.map((m) => m.consumer.disconnect()));
  }

  it('3 members get 2 partitions each; with 7 members 6 are busy and one idles; leaving hands partitions on', async () => {
    await topicWith('six', 6, 20);
    const members: Member[] = [];
    for (let i = 0; i < 3; i++) members.push(await startMember(client, 'six-group', 'six', { assignors: ['range'] }));
    const owned = await waitForBalanced(members, 6);
    expect(owned.map((o) => o.length)).toEqual([2, 2, 2]);
    await waitFor('every record consumed', () => new Set(members.flatMap((m) => m.seen)).size === 120, 30_000, 50);

    for (let i = 0; i < 4; i++) members.push(await startMember(client, 'six-group', 'six', { assignors: ['range'] }));
    const seven = await waitForBalanced(members, 6);
    expect(seven.filter((o) => o.length === 1)).toHaveLength(6);
    expect(seven.filter((o) => o.length === 0)).toHaveLength(1);

    // a busy member leaves: the idle one takes over
    const busy = members.findIndex((m) => m.consumer.assignment().length > 0);
    await members[busy].consumer.disconnect();
    const rest = members.filter((_, i) => i !== busy);
    const six = await waitForBalanced(rest, 6);
    expect(six.every((o) => o.length === 1)).toBe(true);
    assertNoSharedPartitions(members);
    await stopAll(rest);
  });

  it('two groups on one topic each receive every record', async () => {
    await topicWith('shared', 3, 30);
    const a = await startMember(client, 'group-a', 'shared');
    const b = await startMember(client, 'group-b', 'shared');
    await waitFor('both groups read all 90', () => new Set(a.seen).size === 90 && new Set(b.seen).size === 90, 30_000, 50);
    await stopAll([a, b]);
  });

  it("rejects a stale member's commit with a typed error, and lag counts records not yet committed", async () => {
    await topicWith('fenced', 2, 10);
    const first = await startMember(client, 'fenced-group', 'fenced', { autoCommit: false });
    await waitForBalanced([first], 2);
    await waitFor('first read all', () => first.seen.length === 20, 30_000, 50);
    await first.consumer.commitOffsets([
      { topic: 'fenced', partition: 0, offset: 4 },
      { topic: 'fenced', partition: 1, offset: 7 },
    ]);
    const admin = client.admin().groups();
    const lag = await admin.groupLag('fenced-group');
    expect(lag.map((l) => [l.partition, l.committedOffset, l.highWatermark, l.lag])).toEqual([
      [0, 4, 10, 6],
      [1, 7, 10, 3],
    ]);
    const [described] = await admin.describeGroups(['fenced-group']);
    expect(described.state).toBe('Stable');
    expect(described.members).toHaveLength(1);

    // a second member starts a new generation; the first one's view is now stale until it rejoins
    const staleGeneration = first.joins[first.joins.length - 1].generationId;
    const second = await startMember(client, 'fenced-group', 'fenced', { autoCommit: false });
    await waitForBalanced([first, second], 2);
    expect(first.joins[first.joins.length - 1].generationId).toBeGreaterThan(staleGeneration);
    const forged = client.consumer({ groupId: 'fenced-group' });
    await forged.subscribe({ topic: 'fenced' });
    // a member id the coordinator never saw
    const err = await forged.commitOffsets([{ topic: 'fenced', partition: 0, offset: 9 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GroupMembershipError);
    expect((err as GroupMembershipError).type).toBe('UNKNOWN_MEMBER_ID');
    expect((await admin.fetchOffsets('fenced-group')).map((o) => o.offset)).toEqual([4, 7]);
    await forged.disconnect();
    await stopAll([first, second]);
  });
});
