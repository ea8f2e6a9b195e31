import type { ClusterSnapshot } from '@tributary/coordination';
import { TributaryError, type CreatableTopic } from '@tributary/protocol';

/**
 * What the controller checks about a new topic against the cluster as it is, before it
 * writes anything: reserved and colliding names, and the partition budget of every broker.
 * One policy per createTopics request, so topics earlier in the request count for later ones.
 */
export class TopicCreationPolicy {
  /** existing names by their collision key (Kafka: '.' and '_' collide in metric names) */
  private readonly byCollisionKey = new Map<string, string>();
  /** replicas each live broker holds, existing topics and the ones accepted so far */
  private readonly replicasPerBroker = new Map<number, number>();

  constructor(
    snapshot: ClusterSnapshot,
    private readonly liveBrokers: readonly number[],
    private readonly limits: { maxPartitionsPerBroker: number; maxMessageBytes: number },
  ) {
    for (const id of liveBrokers) this.replicasPerBroker.set(id, 0);
    for (const [name, t] of snapshot.topics) {
      this.byCollisionKey.set(collisionKey(name), name);
      for (const p of t.partitions) for (const r of p.replicas) this.replicasPerBroker.set(r, (this.replicasPerBroker.get(r) ?? 0) + 1);
    }
  }

  /** Name rules that need the cluster's view: reserved prefix, and Kafka's '.'/'_' collision. */
  checkName(name: string): void {
    if (name.startsWith('__')) {
      throw TributaryError.of('INVALID_TOPIC_EXCEPTION', `topic name '${name}' is reserved: names starting with '__' belong to the cluster's internal topics`);
    }
    const existing = this.byCollisionKey.get(collisionKey(name));
    if (existing !== undefined && existing !== name) {
      throw TributaryError.of(
        'INVALID_TOPIC_EXCEPTION',
        `topic '${name}' collides with existing topic '${existing}': names may not differ only by '.' and '_'`,
      );
    }
  }

  /** Cheap bound before an assignment is computed: a topic cannot fit if it exceeds the room left on all brokers together. */
  checkRoom(t: CreatableTopic): void {
    const cap = this.limits.maxPartitionsPerBroker;
    let room = 0;
    for (const id of this.liveBrokers) room += Math.max(0, cap - (this.replicasPerBroker.get(id) ?? 0));
    const wanted = t.numPartitions * Math.max(1, t.replicationFactor);
    if (wanted > room) {
      throw TributaryError.of(
        'POLICY_VIOLATION',
        `topic '${t.name}' needs ${wanted} replicas but the ${this.liveBrokers.length} live broker(s) have room for ${room} (MAX_PARTITIONS_PER_BROKER=${cap})`,
      );
    }
  }

  checkConfig(configs: Record<string, string>): void {
    const raw = configs['max.message.bytes'];
    if (raw !== undefined && Number(raw) > this.limits.maxMessageBytes) {
      throw TributaryError.of(
        'INVALID_CONFIG',
        `topic config 'max.message.bytes' = '${raw}' is invalid: a batch that large would not fit a request (at most ${this.limits.maxMessageBytes} with MAX_REQUEST_BYTES)`,
      );
    }
  }

  /** Counts an assignment against the per-broker budget; over it on any broker is POLICY_VIOLATION and nothing is counted. */
  admit(name: string, assignment: readonly number[][], commit: boolean): void {
    const added = new Map<number, number>();
    for (const replicas of assignment) for (const r of replicas) added.set(r, (added.get(r) ?? 0) + 1);
    for (const [broker, n] of added) {
      const total = (this.replicasPerBroker.get(broker) ?? 0) + n;
      if (total > this.limits.maxPartitionsPerBroker) {
        throw TributaryError.of(
          'POLICY_VIOLATION',
          `topic '${name}' would put ${total} replicas on broker ${broker} (MAX_PARTITIONS_PER_BROKER=${this.limits.maxPartitionsPerBroker})`,
        );
      }
    }
    if (!commit) return;
    for (const [broker, n] of added) this.replicasPerBroker.set(broker, (this.replicasPerBroker.get(broker) ?? 0) + n);
    this.byCollisionKey.set(collisionKey(name), name);
  }
}

function collisionKey(name: string): string {
  return name.replace(/\./g, '_');
}
