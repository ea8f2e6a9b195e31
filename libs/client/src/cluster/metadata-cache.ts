import { ErrorCode, type BrokerInfo, type MetadataResponse, type PartitionMetadata, type TopicMetadata } from '@tributary/protocol';

export interface CachedTopic {
  name: string;
  /** the incarnation's id (KIP-516); absent from brokers that do not send one */
  topicId?: string;
  /** the topic-level error code of the last answer (e.g. LEADER_NOT_AVAILABLE right after creation) */
  errorCode: number;
  errorMessage?: string;
  partitions: PartitionMetadata[];
  byPartition: Map<number, PartitionMetadata>;
  configs: Record<string, string>;
}

/**
 * What the client last learnt about the cluster. Pure data: no I/O, so the routing decisions
 * built on it are easy to test. A topic the cluster said does not exist is remembered as
 * unknown (with the code it gave), so callers can tell "not loaded yet" from "does not exist".
 */
/**
 * How long a partition's newer leader epoch outranks answers with an older one. A broker
 * with a frozen view (cut off from its coordination store) answers older epochs for a
 * while; an older epoch that persists this long means the topic was deleted and re-created
 * by a broker that sends no topic id, and is then accepted.
 */
export const OLDER_EPOCH_GRACE_MS = 30_000;

export class MetadataCache {
  private brokersById = new Map<number, BrokerInfo>();
  /** when each cached partition entry was last taken from an answer, by topic\0partition */
  private readonly partitionTakenAt = new Map<string, number>();
  private readonly topics = new Map<string, CachedTopic>();
  private readonly missing = new Map<string, { errorCode: number; errorMessage?: string }>();
  /**
   * Topic ids (KIP-516) this cache has seen replaced by another incarnation of the same name:
   * an answer that still carries one comes from a broker with a stale view and is ignored for
   * that topic, so a deleted topic's layout never comes back over the re-created one's.
   */
  private readonly retiredTopicIds = new Set<string>();
  clusterId = '';
  controllerId = -1;
  /** ms since epoch of the last update; 0 when never loaded */
  updatedAt = 0;

  get isLoaded(): boolean {
    return this.updatedAt > 0;
  }

  /** `requested` is the topic list that was asked for; null means all topics, so absent ones are gone. */
  apply(response: MetadataResponse, requested: readonly string[] | null, now: number): void {
    this.brokersById = new Map(response.brokers.map((b) => [b.id, b]));
    this.clusterId = response.clusterId;
    this.controllerId = response.controllerId;
    this.updatedAt = Math.max(now, 1);
    const answered = new Map(response.topics.map((t) => [t.name, t]));
    if (requested === null) {
      for (const name of [...this.topics.keys()]) if (!answered.has(name)) this.markMissing(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    } else {
      for (const name of requested) if (!answered.has(name)) this.markMissing(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    }
    for (const topic of response.topics) this.applyTopic(topic, this.updatedAt);
  }

  private applyTopic(topic: TopicMetadata, now: number): void {
    const unusable = topic.errorCode !== ErrorCode.NONE && topic.partitions.length === 0;
    if (topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || topic.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION || unusable) {
      this.markMissing(topic.name, topic.errorCode, topic.errorMessage);
      return;
    }
    if (topic.topicId !== undefined && this.retiredTopicIds.has(topic.topicId)) return;
    let previous = this.topics.get(topic.name);
    if (previous?.topicId !== undefined && topic.topicId !== undefined && previous.topicId !== topic.topicId) {
      // a new incarnation: its leader epochs start over, so the old ones must not outrank them
      this.retiredTopicIds.add(previous.topicId);
      for (const p of previous.partitions) this.partitionTakenAt.delete(`${topic.name}\u0000${p.partition}`);
      previous = undefined;
    }
    const partitions = [...topic.partitions]
      .sort((a, b) => a.partition - b.partition)
      .map((p) => this.newerOf(topic.name, previous?.byPartition.get(p.partition), p, now));
    this.missing.delete(topic.name);
    this.topics.set(topic.name, {
      name: topic.name,
      topicId: topic.topicId,
      errorCode: topic.errorCode,
      errorMessage: topic.errorMessage,
      partitions,
      byPartition: new Map(partitions.map((p) => [p.partition, p])),
      configs: topic.configs ?? {},
    });
  }

  /**
   * Never moves a partition back to an older leader epoch (Kafka's KIP-320 rule): an answer
   * from a broker with a stale view must not send a producer back to a deposed leader.
   */
  private newerOf(topic: string, cached: PartitionMetadata | undefined, answered: PartitionMetadata, now: number): PartitionMetadata {
    const key = `${topic}\u0000${answered.partition}`;
    const takenAt = this.partitionTakenAt.get(key) ?? 0;
    if (cached && answered.leaderEpoch < cached.leaderEpoch && now - takenAt < OLDER_EPOCH_GRACE_MS) return cached;
    this.partitionTakenAt.set(key, now);
    return answered;
  }

  private markMissing(name: string, errorCode: number, errorMessage?: string): void {
    const cached = this.topics.get(name);
    for (const p of cached?.partitions ?? []) this.partitionTakenAt.delete(`${name}\u0000${p.partition}`);
    this.topics.delete(name);
    this.missing.set(name, { errorCode, errorMessage });
  }

  topic(name: string): CachedTopic | undefined {
    return this.topics.get(name);
  }

  /** Why the last answer had no usable entry for `name`, if it had none. */
  missingReason(name: string): { errorCode: number; errorMessage?: string } | undefined {
    return this.missing.get(name);
  }

  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  partitionCount(topic: string): number | undefined {
    return this.topics.get(topic)?.partitions.length;
  }

  partition(topic: string, partition: number): PartitionMetadata | undefined {
    return this.topics.get(topic)?.byPartition.get(partition);
  }

  /** The leader's broker id, or undefined when there is none right now (or it is not a known broker). */
  leaderOf(topic: string, partition: number): number | undefined {
    const p = this.partition(topic, partition);
    if (!p || p.leader < 0 || !this.brokersById.has(p.leader)) return undefined;
    return p.leader;
  }

  /** Partitions that have a leader, which is where the sticky partitioner prefers to send. */
  availablePartitions(topic: string): number[] {
    const t = this.topics.get(topic);
    if (!t) return [];
    return t.partitions.filter((p) => p.leader >= 0 && this.brokersById.has(p.leader)).map((p) => p.partition);
  }

  broker(id: number): BrokerInfo | undefined {
    return this.brokersById.get(id);
  }

  brokers(): BrokerInfo[] {
    return [...this.brokersById.values()].sort((a, b) => a.id - b.id);
  }
}
