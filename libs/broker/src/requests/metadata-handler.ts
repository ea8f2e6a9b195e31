import type { MetadataCache, RedisHealth } from '@tributary/coordination';
import type { OfflinePartitions } from '../partition/offline-partitions';
import { ErrorCode, isValidTopicName, type MetadataRequest, type MetadataResponse, type TopicMetadata } from '@tributary/protocol';

/** Metadata from the broker's cache: any broker can answer for the whole cluster. */
export class MetadataHandler {
  constructor(
    private readonly metadata: MetadataCache,
    /** this broker's offline replicas, which only it knows of */
    private readonly local?: { brokerId: number; offline: OfflinePartitions },
    private readonly redisHealth?: RedisHealth,
  ) {}

  async handle(request: MetadataRequest): Promise<MetadataResponse> {
    // Cut off from Redis, this broker's view is frozen while the others elect new leaders:
    // a retriable error sends the client to another broker instead of back to a deposed leader.
    if (this.redisHealth && !this.redisHealth.isCurrent()) {
      const age = this.redisHealth.ageMs();
      const snap = this.metadata.snapshot;
      return {
        errorCode: ErrorCode.BROKER_NOT_AVAILABLE,
        errorMessage: `this broker has not reached Redis for ${Number.isFinite(age) ? `${age} ms` : 'ever'}; its metadata may be stale, ask another broker`,
        clusterId: snap.clusterId,
        controllerId: -1,
        brokers: [],
        topics: [],
      };
    }
    const wanted = request.topics ?? null;
    // A topic created a moment ago may not have reached this cache through pub/sub yet:
    // read Redis once before calling it unknown.
    if (wanted?.some((t) => isValidTopicName(t) && !this.metadata.topic(t))) await this.metadata.reload();
    const snap = this.metadata.snapshot;
    const names = wanted ?? [...snap.topics.keys()].sort();
    const topics = names.map((name): TopicMetadata => {
      if (!isValidTopicName(name)) {
        return {
          name,
          errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
          errorMessage: `topic name '${name.slice(0, 300)}' is invalid`,
          partitions: [],
          configs: {},
        };
      }
      const t = snap.topics.get(name);
      if (!t) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic '${name}' does not exist`, partitions: [], configs: {} };
      return {
        name,
        topicId: t.topic.id,
        errorCode: ErrorCode.NONE,
        configs: t.topic.configs,
        partitions: t.partitions.map((p) => {
          const offline = this.local?.offline.get(name, p.partition);
          const base = {
            partition: p.partition,
            errorCode: p.leader >= 0 ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
            leader: p.leader,
            leaderEpoch: p.leaderEpoch,
            replicas: p.replicas,
            isr: p.isr,
          };
          if (!offline || !this.local) return base;
          // As Kafka's offline_replicas; a partition led by an offline replica answers its error.
          const ledHere = p.leader === this.local.brokerId;
          return {
            ...base,
            offlineReplicas: [this.local.brokerId],
            ...(ledHere ? { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: `offline on broker ${this.local.brokerId}: ${offline.reason}` } : {}),
          };
        }),
      };
    });
    return { errorCode: ErrorCode.NONE, clusterId: snap.clusterId, controllerId: snap.controllerId, brokers: snap.brokers, topics };
  }
}
