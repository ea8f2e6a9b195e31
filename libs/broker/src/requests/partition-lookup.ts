import type { MetadataCache } from '@tributary/coordination';
import { isValidTopicName, TributaryError } from '@tributary/protocol';
import type { PartitionActor } from '../partition/partition-actor';
import type { ReplicaManager } from '../partition/replica-manager';

/**
 * Finds the actor a partition request must go to, with Kafka's error for each way it can
 * fail: bad name, unknown topic, partition out of range, not led here.
 */
export class PartitionLookup {
  constructor(
    private readonly metadata: MetadataCache,
    private readonly replicas: ReplicaManager,
  ) {}

  leaderFor(topic: string, partition: number): PartitionActor {
    if (!isValidTopicName(topic)) {
      throw TributaryError.of('INVALID_TOPIC_EXCEPTION', `topic name '${topic.slice(0, 300)}' is invalid`);
    }
    const meta = this.metadata.topic(topic);
    if (!meta) throw TributaryError.of('UNKNOWN_TOPIC_OR_PARTITION', `topic '${topic}' does not exist`);
    if (!Number.isInteger(partition) || partition < 0 || partition >= meta.partitions.length) {
      throw TributaryError.of('UNKNOWN_TOPIC_OR_PARTITION', `topic '${topic}' has no partition ${partition} (it has ${meta.partitions.length})`);
    }
    const offline = this.replicas.offline.error(topic, partition);
    if (offline) throw offline;
    const actor = this.replicas.get(topic, partition);
    if (!actor || !actor.isLeader) {
      const leader = meta.partitions[partition].leader;
      throw TributaryError.of('NOT_LEADER_OR_FOLLOWER', `this broker does not lead ${topic}-${partition} (leader: ${leader})`);
    }
    return actor;
  }
}
