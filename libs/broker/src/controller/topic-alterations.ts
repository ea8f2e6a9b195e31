import { assignReplicas, type ClusterSnapshot, type PartitionState, type TopicRecord } from '@tributary/coordination';
import { alterTopicConfigs, TributaryError, type AlterableTopicConfig, type CreatePartitionsTopic, type TopicConfig } from '@tributary/protocol';
import { TopicCreationPolicy } from './topic-policy';

export interface AlterationLimits {
  topicDefaults: TopicConfig;
  maxPartitions: number;
  maxPartitionsPerBroker: number;
  maxMessageBytes: number;
}

/** What the controller writes for one change: the record it read, and what replaces it. */
export interface TopicChange {
  expected: TopicRecord;
  next: TopicRecord;
  /** createPartitions only: the new partitions' states */
  added: PartitionState[];
}

/**
 * The controller's checks and plans for changing a live topic (Kafka's IncrementalAlterConfigs
 * and CreatePartitions), computed from one snapshot before anything is written: a refused
 * request changes nothing.
 */
export class TopicAlterations {
  private readonly policy: TopicCreationPolicy;
  private readonly live: number[];

  constructor(
    private readonly snapshot: ClusterSnapshot,
    private readonly limits: AlterationLimits,
  ) {
    this.live = snapshot.brokers.map((b) => b.id);
    this.policy = new TopicCreationPolicy(snapshot, this.live, limits);
  }

  /** The topic's record with its configs altered; INVALID_CONFIG (naming the key) for any bad entry. */
  alterConfigs(request: AlterableTopicConfig): TopicChange {
    const expected = this.existing(request.name).topic;
    const configs = alterTopicConfigs(expected.configs, request.set ?? {}, request.delete ?? [], this.limits.topicDefaults);
    this.policy.checkConfig(configs);
    return { expected, next: { ...expected, configs }, added: [] };
  }

  /**
   * Grows a topic to `count` partitions, the new ones assigned as createTopics would, continuing
   * the leaders' round so they keep spreading. Grow only: INVALID_PARTITIONS otherwise.
   */
  createPartitions(request: CreatePartitionsTopic): TopicChange {
    const { topic: expected, partitions } = this.existing(request.name);
    const current = expected.partitionCount;
    if (request.count <= current) {
      throw TributaryError.of('INVALID_PARTITIONS', `topic '${request.name}' has ${current} partition(s); the new count must be larger, got ${request.count}`);
    }
    if (request.count > this.limits.maxPartitions) {
      throw TributaryError.of('INVALID_PARTITIONS', `topic '${request.name}' may have at most ${this.limits.maxPartitions} partitions, got ${request.count}`);
    }
    const added = request.count - current;
    this.policy.checkRoom({ name: request.name, numPartitions: added, replicationFactor: expected.replicationFactor });
    const brokers = [...this.live].sort((a, b) => a - b);
    const firstLeader = brokers.indexOf(partitions[0]?.replicas[0] ?? -1);
    const start = firstLeader >= 0 ? (firstLeader + current) % brokers.length : undefined;
    const assignment = assignReplicas(brokers, added, expected.replicationFactor, start);
    this.policy.admit(request.name, assignment, true);
    const states: PartitionState[] = assignment.map((replicas, i) => ({
      topic: request.name,
      partition: current + i,
      replicas,
      leader: replicas[0],
      leaderEpoch: 0,
      isr: replicas,
    }));
    return { expected, next: { ...expected, partitionCount: request.count }, added: states };
  }

  private existing(name: string): { topic: TopicRecord; partitions: PartitionState[] } {
    const t = this.snapshot.topics.get(name);
    if (!t) throw TributaryError.of('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    return t;
  }
}
