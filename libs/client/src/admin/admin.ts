import { GroupAdmin } from './group-admin';
import { JobAdmin, type WaitForJobOptions } from './job-admin';
import { alterClientQuotas, describeClientQuotas, describeConnection, type ConnectionDescription } from './quota-admin';
import { SecurityAdmin, type AclSpec, type CreateUserOptions } from './security-admin';
import {
  ReassignmentAdmin,
  type AlterPartitionReassignmentsOptions,
  type ElectLeadersOptions,
  type ListPartitionReassignmentsOptions,
  type ListPartitionReassignmentsResult,
} from './reassignment-admin';
import {
  EARLIEST_TIMESTAMP,
  ErrorCode,
  Events,
  isValidTopicName,
  LATEST_TIMESTAMP,
  TributaryError,
  type CreatableTopic,
  type CreateTopicResult,
  type CreateTopicsRequest,
  type CreateTopicsResponse,
  type DeleteTopicResult,
  type DeleteTopicsRequest,
  type DeleteTopicsResponse,
  type ElectLeaderResult,
  type PlannedMove,
  type JobInfo,
  type AlterClientQuotasRequest,
  type ClientQuotaEntry,
  type QuotaEntity,
  type ResponseBase,
  type AclBinding,
  type AclFilter,
  type ListedUser,
  type AlterableTopicConfig,
  type AlterConfigsRequest,
  type AlterConfigsResponse,
  type CreatePartitionsRequest,
  type CreatePartitionsResponse,
  type CreatePartitionsTopic,
  type DescribeConfigsRequest,
  type DescribeConfigsResponse,
} from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster';
import { listOffsets } from '../cluster/list-offsets';
import { AggregateTopicError, RequestTimeoutError, TopicError } from '../errors';
import type { Logger } from '../logger/logger';
import { backoffMs, retry } from '../retry/retrier';
import { sleep } from '../util/timers';
import { deleteRecords } from './delete-records';
import type {
  AlterConfigsOptions,
  CreatePartitionsOptions,
  DeleteRecordsOptions,
  DeleteRecordsResult,
  DescribeConfigsOptions,
  TopicConfigDescription,
} from './types';
import type { ClusterDescription, CreateTopicsOptions, DeletedTopic, DeleteTopicsOptions, PartitionOffset, PartitionOffsets, TopicInfo } from './types';

export interface AdminDeps {
  cluster: Cluster;
  logger: Logger;
}

const DEFAULT_LEADER_WAIT_MS = 10_000;

export class Admin {
  private readonly cluster: Cluster;
  private readonly logger: Logger;

  constructor(deps: AdminDeps) {
    this.cluster = deps.cluster;
    this.logger = deps.logger.namespace('admin');
  }

  /** Partition reassignment, preferred leader election and broker decommission (also as the methods below). */
  reassignments(): ReassignmentAdmin {
    return new ReassignmentAdmin(this.cluster);
  }

  alterPartitionReassignments(options: AlterPartitionReassignmentsOptions): Promise<{ jobId?: string }> {
    return this.reassignments().alterPartitionReassignments(options);
  }

  listPartitionReassignments(options: ListPartitionReassignmentsOptions = {}): Promise<ListPartitionReassignmentsResult> {
    return this.reassignments().listPartitionReassignments(options);
  }

  electLeaders(options: ElectLeadersOptions = {}): Promise<ElectLeaderResult[]> {
    return this.reassignments().electLeaders(options);
  }

  decommissionBroker(brokerId: number): Promise<{ jobId?: string; moves: PlannedMove[] }> {
    return this.reassignments().decommissionBroker(brokerId);
  }

  /** Consumer groups: list, describe (state, members, assignment), committed offsets and lag. */
  groups(): GroupAdmin {
    return new GroupAdmin(this.cluster);
  }

  /** Admin jobs (topic deletion, reassignment...): list, describe, wait for one. */
  jobs(): JobAdmin {
    return new JobAdmin(this.cluster);
  }

  listJobs(options: { limit?: number } = {}): Promise<JobInfo[]> {
    return this.jobs().listJobs(options);
  }

  describeJob(jobId: string): Promise<JobInfo> {
    return this.jobs().describeJob(jobId);
  }

  /** Resolves with the completed job; throws JobFailedError when it failed for good. */
  waitForJob(jobId: string, options?: WaitForJobOptions): Promise<JobInfo> {
    return this.jobs().waitForJob(jobId, options);
  }

  /** Creates a SCRAM user or replaces its password (salted here: the password is never sent). Needs alter on the cluster. */
  async createUser(options: CreateUserOptions): Promise<void> {
    await this.cluster.connect();
    await new SecurityAdmin(this.cluster).createUser(options);
  }

  async deleteUser(name: string): Promise<void> {
    await this.cluster.connect();
    await new SecurityAdmin(this.cluster).deleteUser(name);
  }

  async listUsers(): Promise<ListedUser[]> {
    await this.cluster.connect();
    return new SecurityAdmin(this.cluster).listUsers();
  }

  /** Adds ACLs (Kafka's model; host `*`, literal pattern and allow by default). Needs alter on the cluster. */
  async createAcls(acls: AclSpec[]): Promise<void> {
    await this.cluster.connect();
    await new SecurityAdmin(this.cluster).createAcls(acls);
  }

  /** Removes every ACL matching one of the filters; resolves with the removed ones. */
  async deleteAcls(filters: AclFilter[]): Promise<AclBinding[]> {
    await this.cluster.connect();
    return new SecurityAdmin(this.cluster).deleteAcls(filters);
  }

  async describeAcls(filter: AclFilter = {}): Promise<AclBinding[]> {
    await this.cluster.connect();
    return new SecurityAdmin(this.cluster).describeAcls(filter);
  }

  async connect(): Promise<void> {
    await this.cluster.connect();
  }

  async disconnect(): Promise<void> {
    await this.cluster.disconnect();
  }

  /**
   * Creates topics; resolves true once created (and, by default, led). Throws TopicError for a
   * topic the cluster refused (TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, ...), or
   * AggregateTopicError when several were refused.
   */
  async createTopics(options: CreateTopicsOptions): Promise<boolean> {
    // the broker checks names too; refusing here saves a round trip and gives the same error
    throwTopicErrors(
      options.topics
        .filter((t) => !isValidTopicName(t.topic))
        .map((t) => ({
          name: t.topic,
          errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
          errorMessage: `topic name '${t.topic.slice(0, 300)}' is invalid: use 1 to 249 of [a-zA-Z0-9._-], not '.' or '..'`,
        })),
    );
    await this.cluster.connect();
    const topics: CreatableTopic[] = options.topics.map((t) => ({
      name: t.topic,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      configs: Object.fromEntries((t.configEntries ?? []).map((c) => [c.name, c.value])),
    }));
    const results = await this.askController<CreateTopicsRequest, CreateTopicsResponse, CreatableTopic>(Events.createTopics, topics, (pending) => ({
      topics: pending,
      validateOnly: options.validateOnly ?? false,
    }));
    throwTopicErrors(results);
    if (!options.validateOnly && options.waitForLeaders !== false) {
      await this.waitForLeaders(
        options.topics.map((t) => t.topic),
        options.timeout ?? DEFAULT_LEADER_WAIT_MS,
      );
    }
    return true;
  }

  /**
   * Deletes topics: once this resolves they are gone from metadata (produce and fetch answer
   * UNKNOWN_TOPIC_OR_PARTITION); a deletion job per topic then removes every replica's files,
   * the replication streams and the groups' committed offsets, and the name can be created
   * again (as a new, empty topic) once it finished: `waitForJob(jobId)`, or `wait: true` here.
   */
  async deleteTopics(options: DeleteTopicsOptions): Promise<DeletedTopic[]> {
    await this.cluster.connect();
    const results = (await this.askController<DeleteTopicsRequest, DeleteTopicsResponse, string>(Events.deleteTopics, options.topics, (pending) => ({
      topics: pending,
    }))) as DeleteTopicResult[];
    throwTopicErrors(results);
    await this.cluster.refreshMetadata().catch(() => undefined);
    const deleted = results.map((r) => ({ topic: r.name, topicId: r.topicId, jobId: r.jobId }));
    if (options.wait) {
      for (const d of deleted) if (d.jobId) await this.waitForJob(d.jobId, { timeoutMs: options.timeout });
    }
    return deleted;
  }

  /** Every config of each topic with its value and source; an unknown topic throws TopicError. */
  async describeConfigs(options: DescribeConfigsOptions): Promise<{ topics: TopicConfigDescription[] }> {
    await this.cluster.connect();
    const response = await retry(
      () => this.cluster.controllerConnection().request<DescribeConfigsRequest, DescribeConfigsResponse>(Events.describeConfigs, { topics: options.topics }),
      this.cluster.retryOptions,
    );
    if (response.errorCode !== ErrorCode.NONE) throw new TributaryError(response.errorCode, response.errorMessage);
    throwTopicErrors(response.topics);
    return { topics: response.topics.map((t) => ({ name: t.name, configs: t.configs.map((c) => ({ ...c })) })) };
  }

  /**
   * Sets configs on topics, or returns them to the default (`delete`); each topic's change is
   * all or nothing (INVALID_CONFIG naming the key). Every broker applies it within seconds.
   */
  async alterConfigs(options: AlterConfigsOptions): Promise<void> {
    await this.cluster.connect();
    const topics: AlterableTopicConfig[] = options.topics.map((t) => ({ name: t.topic, set: t.set ?? {}, delete: t.delete ?? [] }));
    const results = await this.askController<AlterConfigsRequest, AlterConfigsResponse, AlterableTopicConfig>(Events.alterConfigs, topics, (pending) => ({
      topics: pending,
      validateOnly: options.validateOnly ?? false,
    }));
    throwTopicErrors(results);
    await this.cluster.refreshMetadata().catch(() => undefined);
  }

  /**
   * Grows topics to `count` partitions in total (INVALID_PARTITIONS for a count not larger than
   * now). Keyed records map with the new count from then on, as in Kafka.
   */
  async createPartitions(options: CreatePartitionsOptions): Promise<boolean> {
    await this.cluster.connect();
    const topics: CreatePartitionsTopic[] = options.topicPartitions.map((t) => ({ name: t.topic, count: t.count }));
    const results = await this.askController<CreatePartitionsRequest, CreatePartitionsResponse, CreatePartitionsTopic>(
      Events.createPartitions,
      topics,
      (pending) => ({ topics: pending, validateOnly: options.validateOnly ?? false }),
    );
    throwTopicErrors(results);
    if (!options.validateOnly && options.waitForLeaders !== false) {
      await this.waitForLeaders(
        topics.map((t) => t.name),
        options.timeout ?? DEFAULT_LEADER_WAIT_MS,
        new Map(topics.map((t) => [t.name, t.count])),
      );
    }
    return true;
  }

  /** Kafka's DeleteRecords: moves each partition's log start offset up to `offset` on every replica; answers the new low watermarks. */
  async deleteRecords(options: DeleteRecordsOptions): Promise<DeleteRecordsResult[]> {
    await this.cluster.connect();
    await this.cluster.addTargetTopics([options.topic]);
    const answers = await deleteRecords(
      this.cluster,
      options.partitions.map((p) => ({ topic: options.topic, partition: p.partition, offset: p.offset })),
    );
    return answers.map((a) => ({ partition: a.partition, lowWatermark: a.lowWatermark }));
  }

  async listTopics(): Promise<string[]> {
    await this.cluster.connect();
    const response = await retry(() => this.cluster.fetchMetadata(null), this.cluster.retryOptions);
    return response.topics.filter((t) => t.errorCode === ErrorCode.NONE || t.partitions.length > 0).map((t) => t.name);
  }

  /** Partition layout of the given topics (all topics when omitted); an unknown topic throws TopicError. */
  async fetchTopicMetadata(options: { topics?: string[] } = {}): Promise<{ topics: TopicInfo[] }> {
    await this.cluster.connect();
    const names = options.topics ?? (await this.listTopics());
    if (names.length > 0) {
      await this.cluster.addTargetTopics(names);
      // An admin describes the cluster as it is now (leaders, epochs, ISR), never as cached.
      await this.cluster.refreshMetadata();
    }
    const topics = names.map((name): TopicInfo => {
      const t = this.cluster.metadata.topic(name);
      if (!t) throw new TopicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, undefined, name);
      return {
        name,
        ...(t.topicId !== undefined ? { topicId: t.topicId } : {}),
        configs: { ...t.configs },
        partitions: t.partitions.map((p) => ({
          partition: p.partition,
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicas: [...p.replicas],
          isr: [...p.isr],
          errorCode: p.errorCode,
        })),
      };
    });
    return { topics };
  }

  async describeCluster(): Promise<ClusterDescription> {
    await this.cluster.connect();
    await retry(() => this.cluster.refreshMetadata(), this.cluster.retryOptions);
    const m = this.cluster.metadata;
    return { brokers: m.brokers(), controller: m.controllerId >= 0 ? m.controllerId : null, clusterId: m.clusterId };
  }

  /** Kafka's alterClientQuotas: per entity (principal, client id, or both) set a rate (bytes or requests per second) or remove it (null). */
  async alterClientQuotas(entries: AlterClientQuotasRequest['entries']): Promise<void> {
    await alterClientQuotas(this.cluster, entries);
  }

  /** The stored quota overrides, all or one entity's. */
  async describeClientQuotas(entity?: QuotaEntity): Promise<ClientQuotaEntry[]> {
    return describeClientQuotas(this.cluster, entity);
  }

  /** Who a broker takes this client to be: principal, client id, verified client certificate, quotas that apply. */
  async describeConnection(): Promise<ConnectionDescription> {
    return describeConnection(this.cluster);
  }

  /** Per partition: low (log start), high (next offset to be written) and offset (= high). */
  async fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const partitions = await this.partitionsOf(topic);
    const [latest, earliest] = await Promise.all([
      listOffsets(
        this.cluster,
        partitions.map((partition) => ({ topic, partition, timestamp: LATEST_TIMESTAMP })),
      ),
      listOffsets(
        this.cluster,
        partitions.map((partition) => ({ topic, partition, timestamp: EARLIEST_TIMESTAMP })),
      ),
    ]);
    return partitions.map((partition) => {
      const high = latest.find((a) => a.partition === partition)?.offset ?? -1;
      const low = earliest.find((a) => a.partition === partition)?.offset ?? -1;
      return { partition, offset: high, high, low };
    });
  }

  /**
   * Per partition, the first offset whose record has a timestamp at or after `timestamp`; where
   * no record is that recent, the end of the log (KafkaJS does the same).
   */
  async fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<PartitionOffset[]> {
    if (timestamp === undefined) return (await this.fetchTopicOffsets(topic)).map(({ partition, offset }) => ({ partition, offset }));
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw TributaryError.of('INVALID_TIMESTAMP', `timestamp ${timestamp} is invalid`);
    const partitions = await this.partitionsOf(topic);
    const byTime = await listOffsets(
      this.cluster,
      partitions.map((partition) => ({ topic, partition, timestamp })),
    );
    const missing = partitions.filter((p) => (byTime.find((a) => a.partition === p)?.offset ?? -1) < 0);
    const latest = missing.length
      ? await listOffsets(
          this.cluster,
          missing.map((partition) => ({ topic, partition, timestamp: LATEST_TIMESTAMP })),
        )
      : [];
    return partitions.map((partition) => {
      const at = byTime.find((a) => a.partition === partition)?.offset ?? -1;
      return { partition, offset: at >= 0 ? at : (latest.find((a) => a.partition === partition)?.offset ?? -1) };
    });
  }

  private async partitionsOf(topic: string): Promise<number[]> {
    await this.cluster.connect();
    await this.cluster.addTargetTopics([topic]);
    return (this.cluster.metadata.topic(topic)?.partitions ?? []).map((p) => p.partition);
  }

  /**
   * Sends a per-topic admin request to the controller, retrying the topics that fail
   * retriably (NOT_CONTROLLER after a controller change, a lost connection) after a metadata
   * refresh. Returns every topic's final result.
   */
  private async askController<Req, Res extends ResponseBase & { topics: CreateTopicResult[] }, Item extends string | { name: string }>(
    event: typeof Events.createTopics | typeof Events.deleteTopics | typeof Events.alterConfigs | typeof Events.createPartitions,
    items: Item[],
    build: (pending: Item[]) => Req,
  ): Promise<CreateTopicResult[]> {
    const nameOf = (item: Item): string => (typeof item === 'string' ? item : item.name);
    const final = new Map<string, CreateTopicResult>();
    let pending = items;
    await retry(
      async () => {
        const response = await this.cluster.controllerConnection().request<Req, Res>(event, build(pending));
        const retriable: Item[] = [];
        for (const item of pending) {
          const result = response.topics.find((t) => t.name === nameOf(item)) ?? { name: nameOf(item), errorCode: ErrorCode.NONE };
          if (result.errorCode !== ErrorCode.NONE && retriableForAdmin(new TributaryError(result.errorCode))) retriable.push(item);
          else final.set(result.name, result);
        }
        pending = retriable;
        if (retriable.length > 0) {
          const first = response.topics.find((t) => t.name === nameOf(retriable[0]));
          throw new TopicError(first?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, first?.errorMessage, nameOf(retriable[0]));
        }
      },
      this.cluster.retryOptions,
      // A timed-out create or delete may have happened: asking again would answer TOPIC_ALREADY_EXISTS
      // or UNKNOWN_TOPIC for our own change, and a broker that never answers (no handler for the
      // event) would hold the call for every retry. The caller gets the typed, retriable timeout.
      { onRetry: () => this.cluster.refreshMetadata(), shouldRetry: (e) => retriableForAdmin(e) && !(e instanceof RequestTimeoutError) },
    );
    return items.map((item) => final.get(nameOf(item)) ?? { name: nameOf(item), errorCode: ErrorCode.NONE });
  }

  /** `counts`: partitions each topic must show (createPartitions), so an older cached layout does not pass. */
  private async waitForLeaders(topics: string[], timeoutMs: number, counts?: ReadonlyMap<string, number>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.cluster.addTargetTopics(topics);
        await this.cluster.refreshMetadata();
        const waiting = topics.filter((t) => {
          const meta = this.cluster.metadata.topic(t);
          return (
            !meta ||
            meta.partitions.length === 0 ||
            meta.partitions.length < (counts?.get(t) ?? 0) ||
            meta.partitions.some((p) => this.cluster.leaderOf(t, p.partition) === undefined)
          );
        });
        if (waiting.length === 0) return;
      } catch (err) {
        this.logger.debug('waiting for leaders', { error: String(err) });
      }
      if (Date.now() >= deadline) {
        throw TributaryError.of('LEADER_NOT_AVAILABLE', `topics ${topics.join(', ')} were created but not every partition had a leader within ${timeoutMs} ms`);
      }
      await sleep(Math.min(backoffMs(Math.min(attempt, 10), this.cluster.retryOptions), Math.max(0, deadline - Date.now())));
    }
  }
}

/** A topic the controller says does not exist will not appear by asking again. */
function retriableForAdmin(error: TributaryError): boolean {
  return error.retriable && error.code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
}

function throwTopicErrors(results: CreateTopicResult[]): void {
  const errors = results.filter((r) => r.errorCode !== ErrorCode.NONE).map((r) => new TopicError(r.errorCode, r.errorMessage, r.name));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateTopicError(errors);
}
