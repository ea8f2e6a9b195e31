import { ErrorCode, type MetadataResponse, type PartitionMetadata } from '@tributary/protocol';
import { MetadataCache, OLDER_EPOCH_GRACE_MS } from './metadata-cache';

const brokers = [1, 2, 3].map((id) => ({ id, host: '127.0.0.1', port: 9000 + id, url: `ws://127.0.0.1:${9000 + id}` }));

function answer(partitions: Array<Pick<PartitionMetadata, 'partition' | 'leader' | 'leaderEpoch'>>): MetadataResponse {
  return {
    errorCode: ErrorCode.NONE,
    clusterId: 'c',
    controllerId: 1,
    brokers,
    topics: [
      {
        name: 'orders',
        errorCode: ErrorCode.NONE,
        configs: {},
        partitions: partitions.map((p) => ({ ...p, errorCode: ErrorCode.NONE, replicas: [1, 2, 3], isr: [1, 2, 3] })),
      },
    ],
  };
}

describe('MetadataCache leader epochs', () => {
  it('never moves a partition back to an older leader epoch, while taking newer and equal ones', () => {
    const cache = new MetadataCache();
    cache.apply(
      answer([
        { partition: 0, leader: 1, leaderEpoch: 4 },
        { partition: 1, leader: 2, leaderEpoch: 2 },
      ]),
      ['orders'],
      1000,
    );
    // another broker saw the election of broker 3 in epoch 5
    cache.apply(
      answer([
        { partition: 0, leader: 3, leaderEpoch: 5 },
        { partition: 1, leader: 2, leaderEpoch: 2 },
      ]),
      ['orders'],
      2000,
    );
    expect(cache.leaderOf('orders', 0)).toBe(3);
    // the deposed leader's frozen view answers epoch 4 again: ignored for that partition only
    cache.apply(
      answer([
        { partition: 0, leader: 1, leaderEpoch: 4 },
        { partition: 1, leader: 1, leaderEpoch: 3 },
      ]),
      ['orders'],
      3000,
    );
    expect(cache.partition('orders', 0)).toMatchObject({ leader: 3, leaderEpoch: 5 });
    expect(cache.partition('orders', 1)).toMatchObject({ leader: 1, leaderEpoch: 3 });
    expect(cache.availablePartitions('orders')).toEqual([0, 1]);
  });

  it('accepts an older epoch that persists past the grace time (the topic was re-created)', () => {
    const cache = new MetadataCache();
    cache.apply(answer([{ partition: 0, leader: 1, leaderEpoch: 9 }]), ['orders'], 1000);
    cache.apply(answer([{ partition: 0, leader: 2, leaderEpoch: 1 }]), ['orders'], 1000 + OLDER_EPOCH_GRACE_MS - 1);
    expect(cache.leaderOf('orders', 0)).toBe(1);
    cache.apply(answer([{ partition: 0, leader: 2, leaderEpoch: 1 }]), ['orders'], 1000 + OLDER_EPOCH_GRACE_MS + 1);
    expect(cache.partition('orders', 0)).toMatchObject({ leader: 2, leaderEpoch: 1 });
  });

  it('forgets epochs of a topic the cluster said is gone', () => {
    const cache = new MetadataCache();
    cache.apply(answer([{ partition: 0, leader: 1, leaderEpoch: 9 }]), ['orders'], 1000);
    cache.apply(
      { ...answer([]), topics: [{ name: 'orders', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: [], configs: {} }] },
      ['orders'],
      2000,
    );
    cache.apply(answer([{ partition: 0, leader: 2, leaderEpoch: 0 }]), ['orders'], 3000);
    expect(cache.partition('orders', 0)).toMatchObject({ leader: 2, leaderEpoch: 0 });
  });
});

describe('MetadataCache topic ids (KIP-516)', () => {
  const withId = (topicId: string, leaderEpoch: number, leader = 1): MetadataResponse => {
    const a = answer([{ partition: 0, leader, leaderEpoch }]);
    a.topics[0].topicId = topicId;
    return a;
  };

  it('takes a re-created topic at once (its epochs start over) and ignores answers that still carry the deleted id', () => {
    const cache = new MetadataCache();
    cache.apply(withId('old-id', 7, 1), ['orders'], 1000);
    // deleted and created again: a new id, leader epoch back to 1
    cache.apply(withId('new-id', 1, 2), ['orders'], 2000);
    expect(cache.topic('orders')?.topicId).toBe('new-id');
    expect(cache.partition('orders', 0)).toMatchObject({ leader: 2, leaderEpoch: 1 });
    // a broker with a stale view still answers the old incarnation, with its higher epoch
    cache.apply(withId('old-id', 7, 1), ['orders'], 3000);
    expect(cache.topic('orders')?.topicId).toBe('new-id');
    expect(cache.partition('orders', 0)).toMatchObject({ leader: 2, leaderEpoch: 1 });
  });
});
