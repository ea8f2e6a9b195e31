import { randomUUID } from 'crypto';
import { assignReplicas, type ClusterStore, type PartitionState, type TopicRecord, type TopicTombstone } from '@tributary/coordination';
import {
  assertValidTopicName,
  ErrorCode,
  parseTopicConfig,
  toErrorResponse,
  TributaryError,
  type CreatableTopic,
  type CreateTopicResult,
  type CreateTopicsRequest,
  type CreateTopicsResponse,
  type DeleteTopicsRequest,
  type TopicConfig,
} from '@tributary/protocol';
import { Mailbox } from '../actor/mailbox';
import { CONTROLLER_LEASE_TRUST, leaseRenewIntervalMs } from '../config/derived-timings';
import { TopicCreationPolicy } from './topic-policy';

export interface ControllerOptions {
  brokerId: number;
  leaseMs: number;
  topicDefaults: TopicConfig;
  /** highest replication factor this build can honour */
  maxReplicationFactor: number;
  maxPartitions: number;
  /** replicas one broker may hold (MAX_PARTITIONS_PER_BROKER) */
  maxPartitionsPerBroker: number;
  /** the largest max.message.bytes a topic may set: its biggest batch must fit one request */
  maxMessageBytes: number;
}

/**
 * The cluster's controller while this broker holds the controller lease: it alone assigns
 * replicas to brokers. Every broker runs one and keeps trying for the lease, so when the
 * holder dies another takes over within one lease time.
 */
export class ControllerActor {
  private readonly mailbox = new Mailbox();
  private epoch = 0;
  private leaseValidUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly roleListeners = new Set<(active: boolean) => void>();

  constructor(
    private readonly store: ClusterStore,
    private readonly options: ControllerOptions,
  ) {}

  get isActive(): boolean {
    return this.epoch > 0 && Date.now() < this.leaseValidUntil;
  }

  /** The controller epoch while this broker surely holds the lease, else 0: what fenced controller writes carry. */
  get activeEpoch(): number {
    return this.isActive ? this.epoch : 0;
  }

  /**
   * Calls `listener(true)` when this broker takes the controller lease and `listener(false)`
   * when it loses or gives it up (the admin job worker runs only in between).
   */
  onRoleChange(listener: (active: boolean) => void): () => void {
    this.roleListeners.add(listener);
    return () => this.roleListeners.delete(listener);
  }

  async start(): Promise<void> {
    await this.tick().catch(() => undefined);
    this.timer = setInterval(() => void this.tick().catch(() => undefined), leaseRenewIntervalMs(this.options.leaseMs));
    this.timer.unref();
  }

  /** `releaseLease` false: a fenced broker, whose lease (keyed by broker id) is its successor's now. */
  async stop(releaseLease = true): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.epoch > 0 && releaseLease) await this.store.releaseController(this.options.brokerId).catch(() => undefined);
    this.setEpoch(0);
  }

  /** Takes or renews the lease. Validity is counted from before the call, so it errs short. */
  private async tick(): Promise<void> {
    const askedAt = Date.now();
    const epoch = await this.store.acquireController(this.options.brokerId, this.options.leaseMs);
    this.leaseValidUntil = epoch > 0 ? askedAt + this.options.leaseMs * CONTROLLER_LEASE_TRUST : 0;
    this.setEpoch(epoch);
  }

  private setEpoch(epoch: number): void {
    const was = this.epoch > 0;
    this.epoch = epoch;
    if (was !== epoch > 0) for (const l of this.roleListeners) l(epoch > 0);
  }

  createTopics(request: CreateTopicsRequest): Promise<CreateTopicsResponse> {
    return this.mailbox.post(async () => {
      if (!this.isActive) {
        return {
          errorCode: ErrorCode.NONE,
          topics: request.topics.map((t) => ({
            name: t.name,
            errorCode: ErrorCode.NOT_CONTROLLER,
            errorMessage: `broker ${this.options.brokerId} is not the controller`,
          })),
        };
      }
      const snapshot = await this.store.snapshot();
      const live = snapshot.brokers.map((b) => b.id);
      const policy = new TopicCreationPolicy(snapshot, live, this.options);
      const topics: CreateTopicResult[] = [];
      for (const t of request.topics) {
        try {
          await this.createOne(t, live, request.validateOnly === true, policy);
          topics.push({ name: t.name, errorCode: ErrorCode.NONE });
        } catch (err) {
          topics.push({ name: t.name, ...toErrorResponse(err) });
        }
      }
      return { errorCode: ErrorCode.NONE, topics };
    });
  }

  /**
   * Step 1 of deleting topics, atomic per topic: each leaves metadata at once and a tombstone
   * with its incarnation id is recorded. The caller starts the deletion job for each tombstone
   * (also for 'deleting': a retry, or a job a dead controller never submitted).
   */
  deleteTopics(request: DeleteTopicsRequest): Promise<Array<{ name: string; tombstone?: TopicTombstone; error?: TributaryError }>> {
    return this.mailbox.post(async () => {
      const notController = () => TributaryError.of('NOT_CONTROLLER', `broker ${this.options.brokerId} is not the controller`);
      if (!this.isActive) return request.topics.map((name) => ({ name, error: notController() }));
      const results: Array<{ name: string; tombstone?: TopicTombstone; error?: TributaryError }> = [];
      for (const name of request.topics) {
        try {
          assertValidTopicName(name);
          const r = await this.store.deleteTopic(name, this.epoch);
          if (r.outcome === 'stale-controller') {
            this.setEpoch(0);
            results.push({ name, error: notController() });
          } else if (r.outcome === 'unknown') {
            results.push({ name, error: TributaryError.of('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`) });
          } else {
            results.push({ name, tombstone: r.tombstone });
          }
        } catch (err) {
          results.push({ name, error: err instanceof TributaryError ? err : TributaryError.of('UNKNOWN_SERVER_ERROR', (err as Error).message) });
        }
      }
      return results;
    });
  }

  private async createOne(t: CreatableTopic, liveBrokers: number[], validateOnly: boolean, policy: TopicCreationPolicy): Promise<void> {
    assertValidTopicName(t.name);
    policy.checkName(t.name);
    if (t.numPartitions < 1 || t.numPartitions > this.options.maxPartitions) {
      throw TributaryError.of('INVALID_PARTITIONS', `numPartitions must be from 1 to ${this.options.maxPartitions}, got ${t.numPartitions}`);
    }
    if (t.replicationFactor > this.options.maxReplicationFactor) {
      throw TributaryError.of(
        'INVALID_REPLICATION_FACTOR',
        `replication factor must be at most ${this.options.maxReplicationFactor}, got ${t.replicationFactor}`,
      );
    }
    // Kafka's advice, as the issue asks: with three or more replicas, acks=all needs two.
    const configs = { ...(t.configs ?? {}) };
    if (configs['min.insync.replicas'] === undefined && t.replicationFactor >= 3) configs['min.insync.replicas'] = '2';
    // Like Kafka, a min.insync.replicas above the replication factor is allowed: acks=all then always fails.
    parseTopicConfig(configs, this.options.topicDefaults);
    policy.checkConfig(configs);
    // Checked before the assignment is even computed, so a 50,000-partition request costs nothing.
    policy.checkRoom(t);
    const assignment = assignReplicas(liveBrokers, t.numPartitions, t.replicationFactor);
    policy.admit(t.name, assignment, true);
    if (validateOnly) return;
    const topic: TopicRecord = {
      name: t.name,
      id: randomUUID(),
      partitionCount: t.numPartitions,
      replicationFactor: t.replicationFactor,
      configs,
      createdAt: Date.now(),
    };
    const partitions: PartitionState[] = assignment.map((replicas, partition) => ({
      topic: t.name,
      partition,
      replicas,
      leader: replicas[0],
      leaderEpoch: 0,
      isr: replicas,
    }));
    const outcome = await this.store.createTopic(topic, partitions, this.epoch);
    if (outcome === 'exists') throw TributaryError.of('TOPIC_ALREADY_EXISTS', `topic '${t.name}' already exists`);
    // Kafka's answer for a name whose deletion is still under way
    if (outcome === 'deleting')
      throw TributaryError.of('TOPIC_ALREADY_EXISTS', `topic '${t.name}' is being deleted; create it again once its deletion job finishes`);
    if (outcome === 'stale-controller') {
      this.setEpoch(0);
      throw TributaryError.of('NOT_CONTROLLER', `broker ${this.options.brokerId} lost the controller lease`);
    }
  }
}
