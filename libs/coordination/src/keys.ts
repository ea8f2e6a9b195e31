/**
 * Every Redis key of a cluster lives under one prefix, so several clusters can share one
 * Redis. The cluster name sits in braces: a Redis Cluster hash tag, which keeps all of a
 * cluster's keys in one slot so the multi-key Lua scripts stay legal there too.
 */
export class Keys {
  readonly prefix: string;

  constructor(readonly cluster: string) {
    this.prefix = `tributary:{${cluster}}:`;
  }

  /** hash: broker id -> BrokerInfo JSON (last known) */
  get brokers(): string {
    return `${this.prefix}brokers`;
  }

  /** string with TTL: present while the broker is alive, value = the holder's incarnation token */
  broker(id: number): string {
    return `${this.prefix}broker:${id}`;
  }

  /** hash: broker id -> broker epoch (KIP-380), bumped by every new incarnation of that id, never reset */
  get brokerEpochs(): string {
    return `${this.prefix}broker-epochs`;
  }

  /** string with TTL: the controller lease, value = broker id */
  get controller(): string {
    return `${this.prefix}controller`;
  }

  /** counter bumped on every new controller */
  get controllerEpoch(): string {
    return `${this.prefix}controller-epoch`;
  }

  /** hash: topic name -> TopicRecord JSON */
  get topics(): string {
    return `${this.prefix}topics`;
  }

  /** hash: topic name -> TopicTombstone JSON, while the topic's deletion job runs */
  get deletingTopics(): string {
    return `${this.prefix}deleting-topics`;
  }

  /** set: ids of the brokers that removed their replicas of a deleted topic incarnation */
  topicDeletionAcks(topicId: string): string {
    return `${this.prefix}topic-deletion-acks:${topicId}`;
  }

  /** hash: partition number -> PartitionState JSON */
  partitions(topic: string): string {
    return `${this.prefix}partitions:${topic}`;
  }

  /** string with TTL: a partition's leadership lease, value = broker id */
  leaderLease(topic: string, partition: number): string {
    return `${this.prefix}lease:${topic}:${partition}`;
  }

  /** stream: a partition's replication window (batches as the leader appended them) */
  replicationStream(topic: string, partition: number): string {
    return `${this.prefix}repl:${topic}:${partition}`;
  }

  /** stream: followers' log end offsets, read by the leader broker `brokerId` */
  replicaAcks(brokerId: number): string {
    return `${this.prefix}replica-acks:${brokerId}`;
  }

  /** string: the inter-broker secret when INTER_BROKER_SECRET is not set (made once, SET NX) */
  get interBrokerSecret(): string {
    return `${this.prefix}inter-broker-secret`;
  }

  /** BullMQ's prefix for the admin job queue (no trailing ':', BullMQ adds it): keys `tributary:{cluster}:jobs:...` */
  get jobsPrefix(): string {
    return this.prefix.slice(0, -1);
  }

  /** pub/sub channel announcing metadata changes */
  get changes(): string {
    return `${this.prefix}changes`;
  }
}
