/**
 * A fake Tributary cluster for the client's unit tests ONLY: real socket.io servers on
 * loopback ports sharing one in-memory log per partition, answering metadata, produce (with the
 * idempotent producer's sequence checks), fetch, listOffsets, createTopics, deleteTopics,
 * initProducerId, describeConfigs, alterConfigs, createPartitions, deleteRecords and the consumer
 * group requests (one coordinator, see fake-groups.ts) like brokers would
 * (test/contract/broker-contract.ts holds it to the real one's answers). Hooks let a test inject
 * error codes or dropped connections. It is not exported from the package (it needs Node's
 * http and socket.io's server) and is not a model of the real broker, which is tested end to
 * end elsewhere.
 */
import { FakeGroupCoordinator } from './fake-groups';
import { fakeReassignments } from './fake-reassignments';
import { Buffer } from 'buffer';
import { randomUUID } from 'crypto';
import { createServer, type Server as HttpServer } from 'http';
import type { AddressInfo } from 'net';
import { Server, type Socket } from 'socket.io';
import {
  assignBatchOffsets,
  decodeProduceEntries,
  decodeRecordBatches,
  EARLIEST_TIMESTAMP,
  ErrorCode,
  isValidTopicName,
  LATEST_TIMESTAMP,
  parseJobRequest,
  parseRequest,
  ProducerStateMap,
  readBatchHeader,
  applyTimestampType,
  timestampRule,
  timestampToNumber,
  alterTopicConfigs,
  describeTopicConfig,
  parseTopicAdminRequest,
  parseTopicConfig,
  toErrorResponse,
  validateRecordBatches,
  type AlterConfigsResponse,
  type CreatePartitionsResponse,
  type CreateTopicsResponse,
  type DeleteRecordsResponse,
  type DescribeConfigsResponse,
  type DecodedRecord,
  type DeleteTopicsResponse,
  type FetchPartitionResponse,
  type FetchResponse,
  type JobInfo,
  type InitProducerIdResponse,
  type ListOffsetsResponse,
  type MetadataResponse,
  type ProducePartitionResponse,
  type ProduceResponse,
} from '@tributary/protocol';

export interface FakePartition {
  batches: Buffer[];
  /** idempotent producers' sequences, checked as the real leader does (KIP-98) */
  producers: ProducerStateMap;
  logStartOffset: number;
  nextOffset: number;
  leader: number;
  leaderEpoch: number;
  /** set by a reassignment; [leader] until then */
  replicas?: number[];
}

/** What a hook may answer: an error code for the partition, 'drop' to cut the connection, or undefined to proceed. */
export type HookAnswer = number | 'drop' | undefined;

export interface PartitionCall {
  brokerId: number;
  topic: string;
  partition: number;
}

export interface RequestLogEntry {
  brokerId: number;
  event: string;
  payload: unknown;
}

export class FakeBroker {
  url = '';
  private http: HttpServer | null = null;
  private io: Server | null = null;
  /** client connections open to this broker now */
  openConnections: () => number = () => 0;

  constructor(
    readonly id: number,
    private readonly cluster: FakeCluster,
  ) {}

  get port(): number {
    return (this.http?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(port = 0): Promise<void> {
    const http = createServer();
    const io = new Server(http, { transports: ['websocket'], maxHttpBufferSize: 2e6 });
    io.on('connection', (socket) => this.cluster.attach(this, socket));
    this.openConnections = () => io.sockets.sockets.size;
    await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
    this.http = http;
    this.io = io;
    this.url = `ws://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const io = this.io;
    this.io = null;
    this.http = null;
    if (io) await new Promise<void>((resolve, reject) => void io.close(() => resolve()).catch(reject));
  }

  get running(): boolean {
    return this.io !== null;
  }
}

export class FakeCluster {
  readonly brokers: FakeBroker[] = [];
  readonly topics = new Map<string, FakePartition[]>();
  /** each topic's configs as set on it (Kafka-named strings), as the real controller stores them */
  readonly topicConfigs = new Map<string, Record<string, string>>();
  readonly requests: RequestLogEntry[] = [];
  /** the next idempotent producer id handed out (the real cluster keeps this counter in Redis) */
  nextProducerId = 1000;
  /** for tests: answers initProducerId with this error code instead, when set */
  initProducerIdError: number | null = null;
  produceHook: ((call: PartitionCall, batch: Buffer) => HookAnswer) | null = null;
  fetchHook: ((call: PartitionCall, fetchOffset: number) => HookAnswer) | null = null;
  /** answers REQUEST_TIMED_OUT after appending when it returns true: an acknowledgement lost on the way back */
  loseAckHook: ((call: PartitionCall) => boolean) | null = null;
  /** events taken in but never answered, as by a hung broker */
  readonly unanswered = new Set<string>();
  /** each topic's incarnation id (KIP-516), new on every creation */
  readonly topicIds = new Map<string, string>();
  /** admin jobs: a deletion here is done at once, so its job is completed when answered */
  readonly jobs = new Map<string, JobInfo>();
  /** consumer groups, coordinated by one running broker (the first, until it stops); `groups.settings` are the GROUP_* broker settings */
  readonly groups = new FakeGroupCoordinator({
    liveBrokers: () => this.brokers.filter((b) => b.running),
    partitionCount: (topic) => this.topics.get(topic)?.length,
  });
  private readonly waiters = new Set<() => void>();

  static async start(brokerCount = 1): Promise<FakeCluster> {
    const cluster = new FakeCluster();
    for (let id = 1; id <= brokerCount; id++) {
      const broker = new FakeBroker(id, cluster);
      await broker.start();
      cluster.brokers.push(broker);
    }
    return cluster;
  }

  liveBrokerIds(): number[] {
    return this.brokers.filter((b) => b.running).map((b) => b.id);
  }

  get urls(): string[] {
    return this.brokers.map((b) => b.url);
  }

  async stop(): Promise<void> {
    for (const w of this.waiters) w();
    this.groups.stop();
    await Promise.all(this.brokers.map((b) => b.stop()));
  }

  createTopic(name: string, partitions: number, leader = 1, configs: Record<string, string> = {}): void {
    this.topicConfigs.set(name, { ...configs });
    this.topicIds.set(name, randomUUID());
    this.topics.set(
      name,
      Array.from({ length: partitions }, () => ({ batches: [], producers: new ProducerStateMap(), logStartOffset: 0, nextOffset: 0, leader, leaderEpoch: 0 })),
    );
  }

  setLeader(topic: string, partition: number, leader: number): void {
    const p = this.partition(topic, partition);
    p.leader = leader;
    p.leaderEpoch++;
  }

  partition(topic: string, partition: number): FakePartition {
    const p = this.topics.get(topic)?.[partition];
    if (!p) throw new Error(`no partition ${topic}/${partition}`);
    return p;
  }

  records(topic: string, partition: number): DecodedRecord[] {
    return decodeRecordBatches(Buffer.concat(this.partition(topic, partition).batches));
  }

  values(topic: string, partition: number): string[] {
    return this.records(topic, partition).map((r) => r.value?.toString() ?? '<null>');
  }

  /**
   * Appends an already encoded batch as a leader would; returns its base offset. An idempotent
   * producer's batch is checked first: a retry of one of its last five batches returns the
   * original base offset without appending; a sequence or epoch error throws its coded error.
   */
  append(topic: string, partition: number, batch: Buffer): number {
    const p = this.partition(topic, partition);
    const copy = Buffer.from(batch);
    const header = readBatchHeader(copy);
    if (header.producerId >= 0) {
      const verdict = p.producers.check(header);
      if (verdict.kind === 'duplicate') return verdict.firstOffset;
    }
    const base = p.nextOffset;
    assignBatchOffsets(copy, 0, base, p.leaderEpoch);
    p.batches.push(copy);
    p.nextOffset = base + header.lastOffsetDelta + 1;
    p.producers.update({ ...header, baseOffset: base, lastOffset: p.nextOffset - 1 }, Date.now());
    for (const w of [...this.waiters]) w();
    return base;
  }

  /** Drops whole batches below `offset`, as retention would, moving the log start offset. */
  truncateBefore(topic: string, partition: number, offset: number): void {
    const p = this.partition(topic, partition);
    p.batches = p.batches.filter((b) => readBatchHeader(b).lastOffset >= offset);
    p.logStartOffset = p.batches.length ? readBatchHeader(p.batches[0]).baseOffset : p.nextOffset;
  }

  countRequests(event: string, brokerId?: number): number {
    return this.requests.filter((r) => r.event === event && (brokerId === undefined || r.brokerId === brokerId)).length;
  }

  attach(broker: FakeBroker, socket: Socket): void {
    const handle = (event: string, fn: (payload: unknown) => unknown): void => {
      socket.on(event, async (payload: unknown, ack?: (response: unknown) => void) => {
        this.requests.push({ brokerId: broker.id, event, payload });
        if (this.unanswered.has(event)) return;
        try {
          const response = await fn(payload);
          if (response === 'drop') {
            socket.disconnect(true);
            return;
          }
          ack?.(response);
        } catch (err) {
          ack?.(toErrorResponse(err));
        }
      });
    };
    // As the real broker's connection governor: an event nobody handles is answered at once.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      const ack = args[args.length - 1];
      if (typeof event === 'string' && socket.listenerCount(event) > 0) return;
      if (typeof ack === 'function') (ack as (r: unknown) => void)(unsupported(String(event).slice(0, 100)));
    });
    handle('metadata', (p) => this.metadata(parseRequest.metadata(p).topics ?? null));
    handle('produce', (p) => this.produce(broker.id, p));
    handle('fetch', (p) => this.fetch(broker.id, p));
    handle('listOffsets', (p) => this.listOffsets(broker.id, p));
    handle('createTopics', (p) => this.createTopics(p));
    handle('initProducerId', (p) => this.initProducerId(p));
    handle('alterPartitionReassignments', (p) => fakeReassignments.alter(this, p));
    handle('listPartitionReassignments', (p) => fakeReassignments.list(p));
    handle('electLeaders', (p) => fakeReassignments.elect(this, p));
    handle('decommissionBroker', (p) => fakeReassignments.decommission(this, p));
    handle('deleteTopics', (p) => this.deleteTopics(broker.id, p));
    handle('describeConfigs', (p) => this.describeConfigs(p));
    handle('alterConfigs', (p) => this.alterConfigs(p));
    handle('createPartitions', (p) => this.createPartitions(p));
    handle('deleteRecords', (p) => this.deleteRecords(broker.id, p));
    const conn = { connectionId: socket.id, isConnected: () => socket.connected };
    handle('findCoordinator', (p) => this.groups.findCoordinator(p));
    handle('joinGroup', (p) => this.groups.join(broker.id, p, conn));
    handle('syncGroup', (p) => this.groups.sync(broker.id, p, conn));
    handle('heartbeat', (p) => this.groups.heartbeat(broker.id, p, conn));
    handle('leaveGroup', (p) => this.groups.leave(broker.id, p, conn));
    handle('commitOffsets', (p) => this.groups.commit(broker.id, p, conn));
    handle('fetchOffsets', (p) => this.groups.fetchOffsets(p));
    handle('listGroups', (p) => this.groups.listGroups(p));
    handle('describeGroups', (p) => this.groups.describeGroups(p));
    handle('deleteGroups', (p) => this.groups.deleteGroups(broker.id, p));
    handle('listJobs', (p) => {
      const req = parseJobRequest.listJobs(p ?? {});
      return { errorCode: 0, jobs: [...this.jobs.values()].reverse().slice(0, req.limit ?? 100) };
    });
    handle('describeJob', (p) => {
      const req = parseJobRequest.describeJob(p);
      const job = this.jobs.get(req.jobId);
      if (!job) return { errorCode: ErrorCode.JOB_NOT_FOUND, errorMessage: `no admin job '${req.jobId}'`, job: null };
      return { errorCode: 0, job };
    });
  }

  /** As the real controller: only it answers, the topic is gone at once, and a (here already completed) job cleans up. */
  private deleteTopics(brokerId: number, payload: unknown): DeleteTopicsResponse {
    const req = parseRequest.deleteTopics(payload);
    return {
      errorCode: 0,
      topics: req.topics.map((name) => {
        if (brokerId !== this.brokers[0]?.id) return { name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: `broker ${brokerId} is not the controller` };
        const topicId = this.topicIds.get(name);
        if (!this.topics.delete(name) || topicId === undefined)
          return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic '${name}' does not exist` };
        this.topicIds.delete(name);
        this.topicConfigs.delete(name);
        this.groups.deleteTopicOffsets(name);
        const jobId = `deleteTopic-${topicId}`;
        const now = Date.now();
        this.jobs.set(jobId, {
          id: jobId,
          type: 'deleteTopic',
          args: { topic: name, topicId },
          state: 'completed',
          progress: { step: 'clear-tombstone', done: 4, total: 4 },
          attemptsMade: 1,
          maxAttempts: 10,
          createdAt: now,
          startedAt: now,
          finishedAt: now,
        });
        return { name, errorCode: 0, topicId, jobId };
      }),
    };
  }

  private metadata(topics: string[] | null): MetadataResponse {
    const names = topics ?? [...this.topics.keys()];
    return {
      errorCode: 0,
      clusterId: 'fake-cluster',
      controllerId: this.brokers[0]?.id ?? -1,
      brokers: this.brokers.filter((b) => b.running).map((b) => ({ id: b.id, host: '127.0.0.1', port: b.port, url: b.url })),
      topics: names.map((name) => {
        const partitions = this.topics.get(name);
        if (!partitions) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: [], configs: {} };
        return {
          name,
          topicId: this.topicIds.get(name),
          errorCode: 0,
          configs: { ...(this.topicConfigs.get(name) ?? {}) },
          partitions: partitions.map((p, i) => ({
            partition: i,
            errorCode: 0,
            leader: p.leader,
            leaderEpoch: p.leaderEpoch,
            replicas: p.replicas ?? [p.leader],
            isr: p.replicas ?? [p.leader],
          })),
        };
      }),
    };
  }

  private produce(brokerId: number, payload: unknown): ProduceResponse | 'drop' {
    const req = parseRequest.produce(payload);
    const partitions: ProducePartitionResponse[] = [];
    for (const entry of decodeProduceEntries(Buffer.from(req.data))) {
      const call = { brokerId, topic: entry.topic, partition: entry.partition };
      const hooked = this.produceHook?.(call, entry.batches);
      if (hooked === 'drop') return 'drop';
      const base = { topic: entry.topic, partition: entry.partition, baseOffset: -1, logStartOffset: -1 };
      const p = this.topics.get(entry.topic)?.[entry.partition];
      if (hooked !== undefined) partitions.push({ ...base, errorCode: hooked });
      else if (!p) partitions.push({ ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
      else if (p.leader !== brokerId) partitions.push({ ...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
      else {
        try {
          // As a real broker, by the topic's configs: batch size and timestamp rules.
          const c = parseTopicConfig(this.topicConfigs.get(entry.topic) ?? {});
          const rule = timestampRule(c['message.timestamp.type'], c['message.timestamp.before.max.ms'], c['message.timestamp.after.max.ms'], Date.now());
          applyTimestampType(entry.batches, validateRecordBatches(entry.batches, c['max.message.bytes'], rule), rule);
          const baseOffset = this.append(entry.topic, entry.partition, entry.batches);
          if (this.loseAckHook?.(call)) partitions.push({ ...base, errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: 'acknowledgement lost (test hook)' });
          else partitions.push({ ...base, errorCode: 0, baseOffset, logStartOffset: p.logStartOffset });
        } catch (err) {
          partitions.push({ ...base, ...toErrorResponse(err) });
        }
      }
    }
    return { errorCode: 0, partitions };
  }

  private async fetch(brokerId: number, payload: unknown): Promise<FetchResponse | 'drop'> {
    const req = parseRequest.fetch(payload);
    // As the real broker: an SDK connection never authenticated as a broker, so it may not fetch as a replica.
    if (req.replicaId !== undefined) {
      return {
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: `fetch as replica ${req.replicaId}: only a broker that authenticated on this connection may send it`,
        partitions: [],
        records: Buffer.alloc(0),
      };
    }
    const deadline = Date.now() + req.maxWaitMs;
    for (;;) {
      const parts: FetchPartitionResponse[] = [];
      const chunks: Buffer[] = [];
      for (const ask of req.partitions) {
        const call = { brokerId, topic: ask.topic, partition: ask.partition };
        const hooked = this.fetchHook?.(call, ask.fetchOffset);
        if (hooked === 'drop') return 'drop';
        const base = { topic: ask.topic, partition: ask.partition, highWatermark: -1, logStartOffset: -1, byteLength: 0 };
        const p = this.topics.get(ask.topic)?.[ask.partition];
        if (hooked !== undefined) parts.push({ ...base, errorCode: hooked });
        else if (!p) parts.push({ ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        else if (p.leader !== brokerId) parts.push({ ...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
        else if (ask.fetchOffset < p.logStartOffset || ask.fetchOffset > p.nextOffset) {
          parts.push({ ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: p.nextOffset, logStartOffset: p.logStartOffset });
        } else {
          let bytes = 0;
          const picked: Buffer[] = [];
          for (const b of p.batches) {
            if (readBatchHeader(b).lastOffset < ask.fetchOffset) continue;
            // like Kafka (KIP-74): at least one whole batch, even above the limit
            if (picked.length > 0 && bytes + b.length > ask.partitionMaxBytes) break;
            picked.push(b);
            bytes += b.length;
          }
          chunks.push(...picked);
          parts.push({ ...base, errorCode: 0, highWatermark: p.nextOffset, logStartOffset: p.logStartOffset, byteLength: bytes });
        }
      }
      const total = chunks.reduce((n, c) => n + c.length, 0);
      const hasError = parts.some((p) => p.errorCode !== 0);
      if (total >= Math.max(1, req.minBytes) || hasError || Date.now() >= deadline) {
        return { errorCode: 0, partitions: parts, records: Buffer.concat(chunks) };
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, deadline - Date.now()));
        this.waiters.add(wake);
      });
    }
  }

  private listOffsets(brokerId: number, payload: unknown): ListOffsetsResponse {
    const req = parseRequest.listOffsets(payload);
    return {
      errorCode: 0,
      partitions: req.partitions.map((ask) => {
        const base = { topic: ask.topic, partition: ask.partition, offset: -1, timestamp: -1 };
        const p = this.topics.get(ask.topic)?.[ask.partition];
        if (!p) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        if (p.leader !== brokerId) return { ...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
        if (ask.timestamp === LATEST_TIMESTAMP) return { ...base, errorCode: 0, offset: p.nextOffset };
        if (ask.timestamp === EARLIEST_TIMESTAMP) return { ...base, errorCode: 0, offset: p.logStartOffset };
        const hit = decodeRecordBatches(Buffer.concat(p.batches)).find((r) => r.timestamp >= ask.timestamp);
        return { ...base, errorCode: 0, offset: hit?.offset ?? -1, timestamp: hit ? timestampToNumber(hit.timestamp) : -1 };
      }),
    };
  }

  private initProducerId(payload: unknown): InitProducerIdResponse {
    const req = parseRequest.initProducerId(payload ?? {});
    if (this.initProducerIdError !== null) return { errorCode: this.initProducerIdError, producerId: -1, producerEpoch: -1 };
    const id = req.producerId ?? -1;
    const epoch = req.producerEpoch ?? -1;
    if (id >= 0 && id < this.nextProducerId && epoch >= 0 && epoch < 32766) return { errorCode: 0, producerId: id, producerEpoch: epoch + 1 };
    return { errorCode: 0, producerId: this.nextProducerId++, producerEpoch: 0 };
  }

  private createTopics(payload: unknown): CreateTopicsResponse {
    const req = parseRequest.createTopics(payload);
    return {
      errorCode: 0,
      topics: req.topics.map(({ name, numPartitions, replicationFactor, configs }) => {
        if (!isValidTopicName(name)) return { name, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION };
        // as the real controller: '__' names are reserved, and '.'/'_' variants of one name collide
        if (name.startsWith('__')) return { name, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: `topic name '${name}' is reserved` };
        const collides = [...this.topics.keys()].find((t) => t !== name && t.replace(/\./g, '_') === name.replace(/\./g, '_'));
        if (collides) return { name, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: `topic '${name}' collides with existing topic '${collides}'` };
        if (this.topics.has(name)) return { name, errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `topic '${name}' already exists` };
        if (numPartitions < 1) return { name, errorCode: ErrorCode.INVALID_PARTITIONS };
        if (replicationFactor < 1 || replicationFactor > this.brokers.length) return { name, errorCode: ErrorCode.INVALID_REPLICATION_FACTOR };
        try {
          parseTopicConfig(configs ?? {});
        } catch (err) {
          return { name, ...toErrorResponse(err) };
        }
        if (!req.validateOnly) this.createTopic(name, numPartitions, this.brokers[0].id, configs ?? {});
        return { name, errorCode: 0 };
      }),
    };
  }

  private describeConfigs(payload: unknown): DescribeConfigsResponse {
    const req = parseTopicAdminRequest.describeConfigs(payload);
    return {
      errorCode: 0,
      topics: req.topics.map((name) => {
        const configs = this.topicConfigs.get(name);
        if (!configs || !this.topics.has(name)) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, configs: [] };
        return { name, errorCode: 0, configs: describeTopicConfig(configs) };
      }),
    };
  }

  private alterConfigs(payload: unknown): AlterConfigsResponse {
    const req = parseTopicAdminRequest.alterConfigs(payload);
    return {
      errorCode: 0,
      topics: req.topics.map(({ name, set, delete: remove }) => {
        const current = this.topicConfigs.get(name);
        if (!current || !this.topics.has(name)) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        try {
          const next = alterTopicConfigs(current, set, remove);
          if (!req.validateOnly) this.topicConfigs.set(name, next);
          return { name, errorCode: 0 };
        } catch (err) {
          return { name, ...toErrorResponse(err) };
        }
      }),
    };
  }

  private createPartitions(payload: unknown): CreatePartitionsResponse {
    const req = parseTopicAdminRequest.createPartitions(payload);
    return {
      errorCode: 0,
      topics: req.topics.map(({ name, count }) => {
        const partitions = this.topics.get(name);
        if (!partitions) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        if (count <= partitions.length)
          return { name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `topic '${name}' has ${partitions.length} partition(s)` };
        if (!req.validateOnly) {
          while (partitions.length < count)
            partitions.push({ batches: [], producers: new ProducerStateMap(), logStartOffset: 0, nextOffset: 0, leader: this.brokers[0].id, leaderEpoch: 0 });
        }
        return { name, errorCode: 0 };
      }),
    };
  }

  /** As the real leader: the log start moves to the offset (-1: the high watermark), whole batches below it go. */
  private deleteRecords(brokerId: number, payload: unknown): DeleteRecordsResponse {
    const req = parseTopicAdminRequest.deleteRecords(payload);
    return {
      errorCode: 0,
      partitions: req.partitions.map((ask) => {
        const base = { topic: ask.topic, partition: ask.partition, lowWatermark: -1 };
        const p = this.topics.get(ask.topic)?.[ask.partition];
        if (!p) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        if (p.leader !== brokerId) return { ...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
        const offset = ask.offset === -1 ? p.nextOffset : ask.offset;
        if (offset > p.nextOffset) return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
        if (offset > p.logStartOffset) {
          p.logStartOffset = offset;
          p.batches = p.batches.filter((b) => readBatchHeader(b).lastOffset >= offset);
        }
        return { ...base, errorCode: 0, lowWatermark: p.logStartOffset };
      }),
    };
  }
}

function unsupported(event: string): { errorCode: number; errorMessage: string } {
  return { errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: `this broker does not serve "${event}" requests` };
}
