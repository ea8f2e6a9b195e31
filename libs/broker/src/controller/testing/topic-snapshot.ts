import type { ClusterSnapshot, PartitionState, TopicSnapshot } from '@tributary/coordination';
import { ErrorCode, type TributaryError } from '@tributary/protocol';

/**
 * A cluster snapshot for the controller's planning specs: each topic by its replica lists (one
 * per partition, the first replica leading, all in the ISR); every topic has id `<name>-id` and
 * `retention.ms` 1000 among its configs.
 */
export function topicSnapshot(topics: Record<string, number[][]>, brokers: number[] = []): ClusterSnapshot {
  const map = new Map<string, TopicSnapshot>();
  for (const [name, assignment] of Object.entries(topics)) {
    const partitions: PartitionState[] = assignment.map((replicas, partition) => ({
      topic: name,
      partition,
      replicas,
      leader: replicas[0],
      leaderEpoch: 1,
      isr: replicas,
    }));
    map.set(name, {
      topic: {
        name,
        id: `${name}-id`,
        partitionCount: assignment.length,
        replicationFactor: assignment[0].length,
        configs: { 'retention.ms': '1000' },
        createdAt: 0,
      },
      partitions,
    });
  }
  const infos = brokers.map((id) => ({ id, host: 'h', port: id, url: `ws://h:${id}` }));
  return { clusterId: 'c', controllerId: 1, brokers: infos, brokerEpochs: new Map(), topics: map };
}

/** The error code `fn` throws, or NONE. */
export function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    return (err as TributaryError).code;
  }
  return ErrorCode.NONE;
}
