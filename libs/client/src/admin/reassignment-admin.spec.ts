import { ErrorCode } from '@tributary/protocol';
import { FakeCluster } from '../testing/fake-broker';
import { quietLogger, testCluster } from '../testing/helpers';
import { Admin } from './admin';

describe('reassignment admin against a fake cluster', () => {
  let fake: FakeCluster;
  let admin: Admin;

  beforeEach(async () => {
    fake = await FakeCluster.start(3);
    admin = new Admin({ cluster: testCluster(fake.urls), logger: quietLogger });
    fake.createTopic('orders', 2, 1);
  });

  afterEach(async () => {
    await admin.disconnect();
    await fake.stop();
  });

  it('sends a reassignment to the controller and sees the new replica set and leader', async () => {
    await admin.alterPartitionReassignments({ topics: [{ topic: 'orders', partitionAssignment: [{ partition: 0, replicas: [2, 3] }] }] });
    expect(fake.requests.find((r) => r.event === 'alterPartitionReassignments')?.payload).toEqual({
      partitions: [{ topic: 'orders', partition: 0, replicas: [2, 3] }],
    });
    const meta = await admin.fetchTopicMetadata({ topics: ['orders'] });
    expect(meta.topics[0].partitions[0]).toMatchObject({ replicas: [2, 3], leader: 2, leaderEpoch: 1 });
    expect(await admin.listPartitionReassignments()).toEqual({ topics: [] });
  });

  it('throws a typed error naming each refused partition', async () => {
    await expect(
      admin.alterPartitionReassignments({
        topics: [
          { topic: 'orders', partitionAssignment: [{ partition: 1, replicas: [9] }] },
          { topic: 'nope', partitionAssignment: [{ partition: 0, replicas: [1] }] },
        ],
      }),
    ).rejects.toMatchObject({ code: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: expect.stringMatching(/orders-1: .*9.*nope-0/s) });
    // a bad request never reaches a partition
    await expect(
      admin.alterPartitionReassignments({ topics: [{ topic: 'orders', partitionAssignment: [{ partition: 0, replicas: [2, 2] }] }] }),
    ).rejects.toMatchObject({
      code: ErrorCode.INVALID_REQUEST,
    });
  });

  it('elects preferred leaders per partition and decommissions a broker', async () => {
    fake.partition('orders', 1).replicas = [2, 1];
    const results = await admin.electLeaders();
    expect(results.map((r) => [r.partition, r.errorCode, r.leader])).toEqual([
      [0, ErrorCode.ELECTION_NOT_NEEDED, 1],
      [1, ErrorCode.NONE, 2],
    ]);
    const { moves } = await admin.decommissionBroker(2);
    expect(moves).toEqual([{ topic: 'orders', partition: 1, from: [2, 1], to: [3, 1] }]);
    expect(fake.partition('orders', 1)).toMatchObject({ replicas: [3, 1], leader: 3 });
  });
});
