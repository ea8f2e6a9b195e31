import { Buffer } from 'buffer';
import { ErrorCode, type Acks, type RecordData } from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster';
import { asTributaryError, ClientStateError, InvalidConfigError, RetriesExhaustedError, TopicError } from '../errors';
import type { Logger } from '../logger/logger';
import { resolveRetry, type ResolvedRetryOptions } from '../retry/retrier';
import { definedOnly } from '../util/objects';
import type { Timer } from '../util/timers';
import { tpKey } from '../util/topic-partition';
import { ProducerIdentity } from './idempotence';
import { DefaultPartitioner } from './partitioner';
import { estimateRecordSize } from './producer-batch';
import { RecordAccumulator, type Placement } from './record-accumulator';
import { Sender } from './sender';
import type { AcksOption, Message, ProducerBatchRequest, ProducerOptions, ProducerRecord, RecordMetadata } from './types';

export const PRODUCER_DEFAULTS = {
  lingerMs: 5,
  batchSize: 16_384,
  maxInFlightPerBroker: 5,
  maxRequestSize: 1_000_000,
  timeoutMs: 30_000,
};

export interface ProducerDeps {
  cluster: Cluster;
  requestTimeoutMs: number;
  retry: ResolvedRetryOptions;
  logger: Logger;
  /** for tests: the sticky partitioner's randomness */
  random?: () => number;
}

interface Placed {
  topic: string;
  partition: number;
  placement: Placement;
}

export class Producer {
  private readonly cluster: Cluster;
  private readonly accumulator: RecordAccumulator;
  private readonly sender: Sender;
  private readonly partitioner: DefaultPartitioner;
  private readonly maxRequestSize: number;
  private readonly requestTimeoutMs: number;
  private readonly logger: Logger;
  /** the idempotent producer's id and sequences; null with `idempotent: false` */
  private readonly identity: ProducerIdentity | null;
  private connecting: Promise<void> | null = null;
  private closing = false;
  private readonly appendChains = new Map<string, Promise<void>>();

  constructor(deps: ProducerDeps, options: ProducerOptions = {}) {
    this.cluster = deps.cluster;
    this.logger = deps.logger.namespace('producer');
    const o = { ...PRODUCER_DEFAULTS, ...definedOnly(options) };
    if (o.batchSize < 1 || o.lingerMs < 0 || o.maxInFlightPerBroker < 1 || o.maxRequestSize < 1) {
      throw new ClientStateError('producer options: batchSize, maxInFlightPerBroker and maxRequestSize must be positive, lingerMs not negative');
    }
    this.maxRequestSize = o.maxRequestSize;
    this.requestTimeoutMs = deps.requestTimeoutMs;
    this.partitioner = new DefaultPartitioner(deps.random);
    this.accumulator = new RecordAccumulator({ batchSize: o.batchSize, lingerMs: o.lingerMs });
    const acks = toWireAcks(options.acks ?? 'all');
    const { idempotent, maxInFlightPerPartition } = idempotenceOptions(options, acks);
    const retry = resolveRetry(options.retry, deps.retry);
    // The producer id is asked of any broker with the client's retry budget, not the producer's:
    // `retries: 0` is about record batches, and must not let one dead broker fail the next send.
    this.identity = idempotent ? new ProducerIdentity(this.cluster, resolveRetry(undefined, deps.retry), this.logger) : null;
    this.sender = new Sender(this.cluster, this.accumulator, {
      acks,
      timeoutMs: o.timeoutMs,
      requestTimeoutMs: deps.requestTimeoutMs,
      maxInFlightPerBroker: o.maxInFlightPerBroker,
      maxInFlightPerPartition,
      identity: this.identity,
      maxRequestSize: o.maxRequestSize,
      retry,
      logger: this.logger,
    });
  }

  /** Optional: send() connects on first use. */
  async connect(): Promise<void> {
    if (this.closing) throw new ClientStateError('the producer is disconnected; create a new one');
    this.connecting ??= (async () => {
      await this.cluster.connect();
      // an idempotent producer needs its id before its first batch is stamped
      await this.identity?.ensure();
    })().catch((err: unknown) => {
      this.connecting = null;
      throw err;
    });
    await this.connecting;
  }

  /** Resolves once every record is acknowledged (acks 1/all) or handed to the socket (acks 0). */
  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.sendBatch({ topicMessages: [record] });
  }

  async sendBatch(request: ProducerBatchRequest): Promise<RecordMetadata[]> {
    if (this.closing) throw new ClientStateError('the producer is disconnected');
    const topics = [...new Set(request.topicMessages.map((t) => t.topic))];
    const placed = await this.inCallOrder(topics, async () => {
      await this.connect();
      await this.cluster.addTargetTopics(topics);
      const prepared = await this.prepare(request);
      // append only after every record validated, so a bad record fails the send without half of it written
      const now = Date.now();
      return prepared.map(({ topic, message, record }): Placed => {
        const partition = this.choosePartition(topic, message, record);
        return { topic, partition, placement: this.accumulator.append(topic, partition, record, now) };
      });
    });
    this.sender.wakeup();
    try {
      return await this.collect(placed);
    } catch (err) {
      await this.refreshAfterFailure(err);
      throw err;
    }
  }

  /**
   * A send that failed retriably (a dead leader, NOT_LEADER_OR_FOLLOWER...) refreshes metadata
   * before it rejects, whatever the retry budget: with `retries: 0` nothing else would, and the
   * caller's next send would go to the same dead leader until metadataMaxAgeMs. Awaiting it
   * means the next send, issued as soon as this one failed, already sees the new leader.
   */
  private async refreshAfterFailure(err: unknown): Promise<void> {
    const error = asTributaryError(err);
    const cause = error instanceof RetriesExhaustedError ? error.cause : error;
    if (!cause.retriable || this.closing) return;
    const refresh = this.cluster
      .refreshMetadata()
      .catch((e: unknown) => this.logger.debug('metadata refresh after a failed send failed', { error: String(e) }));
    // a refresh that meets a hung broker goes on in the background: the caller hears of its failure in bounded time
    let timer: Timer | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.requestTimeoutMs);
    });
    await Promise.race([refresh, bound]).finally(() => clearTimeout(timer));
  }

  /**
   * Runs `fn` after earlier sends to any of `topics` have appended their records, so records
   * of sends issued without awaiting each other still reach a partition in call order, even
   * when one of them had to wait for metadata. Sends to other topics are not held up.
   */
  private async inCallOrder<T>(topics: readonly string[], fn: () => Promise<T>): Promise<T> {
    const before = topics.map((t) => this.appendChains.get(t)).filter((p): p is Promise<void> => p !== undefined);
    const run = Promise.all(before).then(fn);
    const done = run.then(
      () => undefined,
      () => undefined,
    );
    for (const t of topics) this.appendChains.set(t, done);
    void done.then(() => {
      for (const t of topics) if (this.appendChains.get(t) === done) this.appendChains.delete(t);
    });
    return run;
  }

  /**
   * Sends everything buffered now, without waiting for lingerMs; resolves when all of it is done.
   * Covers every send issued before the call, also one still waiting for metadata or for the
   * producer id (Kafka's send appends at once; ours may first await those).
   */
  async flush(): Promise<void> {
    await Promise.all([...this.appendChains.values()]);
    const pending = this.accumulator.closeAll();
    this.sender.wakeup();
    await Promise.all(pending.map((b) => b.settled));
  }

  /** Flushes, then closes the connections. */
  async disconnect(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    try {
      await this.flush();
    } finally {
      this.sender.stop();
      this.accumulator.failAll(new ClientStateError('the producer was disconnected'));
      await this.cluster.disconnect();
    }
  }

  private async prepare(request: ProducerBatchRequest): Promise<Array<{ topic: string; message: Message; record: RecordData }>> {
    const out: Array<{ topic: string; message: Message; record: RecordData }> = [];
    let refreshed = false;
    for (const { topic, messages } of request.topicMessages) {
      for (const message of messages) {
        const record = toRecordData(message);
        if (estimateRecordSize(record) > this.maxRequestSize) {
          throw new TopicError(
            ErrorCode.MESSAGE_TOO_LARGE,
            `a record of about ${estimateRecordSize(record)} bytes exceeds maxRequestSize ${this.maxRequestSize}`,
            topic,
          );
        }
        if (message.partition !== undefined) {
          // partitions may have been added since the metadata was read: look once more before refusing
          if (!this.partitionExists(topic, message.partition) && !refreshed) {
            refreshed = true;
            await this.cluster.refreshMetadata();
          }
          if (!this.partitionExists(topic, message.partition)) {
            throw new TopicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, undefined, topic, message.partition);
          }
        }
        out.push({ topic, message, record });
      }
    }
    return out;
  }

  private partitionExists(topic: string, partition: number): boolean {
    const count = this.cluster.partitionCount(topic);
    return Number.isInteger(partition) && partition >= 0 && count !== undefined && partition < count;
  }

  private choosePartition(topic: string, message: Message, record: RecordData): number {
    if (message.partition !== undefined) return message.partition;
    const args = {
      topic,
      key: record.key,
      partitionCount: this.cluster.partitionCount(topic) ?? 1,
      availablePartitions: this.cluster.metadata.availablePartitions(topic),
    };
    const partition = this.partitioner.partition(args);
    if (record.key !== null) return partition;
    // KIP-480: the sticky partition's batch is closed (sent or full), so move on before starting a new one
    if (this.accumulator.wouldStartNewBatch(topic, partition, estimateRecordSize(record))) return this.partitioner.onNewBatch(args, partition);
    return partition;
  }

  private async collect(placed: Placed[]): Promise<RecordMetadata[]> {
    const batches = [...new Set(placed.map((p) => p.placement.batch))];
    const acks = new Map(await Promise.all(batches.map(async (b) => [b, await b.result] as const)));
    const byPartition = new Map<string, RecordMetadata>();
    for (const { topic, partition, placement } of placed) {
      const ack = acks.get(placement.batch);
      if (!ack) continue;
      const offset = ack.baseOffset < 0 ? -1 : ack.baseOffset + placement.index;
      const key = tpKey(topic, partition);
      const seen = byPartition.get(key);
      if (!seen) byPartition.set(key, { topic, partition, baseOffset: offset, errorCode: ErrorCode.NONE, logStartOffset: ack.logStartOffset });
      else if (offset >= 0 && (seen.baseOffset < 0 || offset < seen.baseOffset)) seen.baseOffset = offset;
    }
    return [...byPartition.values()];
  }
}

/**
 * Kafka's rules: idempotence is on by default, needs acks 'all' (an explicit `idempotent: true`
 * with other acks is a config error; without it, other acks turn idempotence off, as in Kafka
 * 3), and allows 1..5 batches in flight per partition. Without it a partition has one batch in
 * flight, so a retry can never reorder records.
 */
function idempotenceOptions(options: ProducerOptions, acks: Acks): { idempotent: boolean; maxInFlightPerPartition: number } {
  const idempotent = options.idempotent ?? acks === -1;
  if (idempotent && acks !== -1) {
    throw new InvalidConfigError('idempotent', `an idempotent producer needs acks 'all' (got ${String(options.acks)}); set idempotent: false for acks 0 or 1`);
  }
  const max = options.maxInFlightPerPartition ?? (idempotent ? 5 : 1);
  if (!Number.isInteger(max) || max < 1 || max > (idempotent ? 5 : 1)) {
    throw new InvalidConfigError(
      'maxInFlightPerPartition',
      idempotent
        ? `maxInFlightPerPartition must be 1 to 5 with idempotence (the leader remembers 5 batches per producer), got ${String(max)}`
        : `maxInFlightPerPartition must be 1 without idempotence (a retry could reorder records), got ${String(max)}`,
    );
  }
  return { idempotent, maxInFlightPerPartition: max };
}

function toWireAcks(acks: AcksOption): Acks {
  if (acks === 'all' || acks === -1) return -1;
  if (acks === 0 || acks === 1) return acks;
  throw new ClientStateError(`acks must be 'all', -1, 0 or 1, not ${String(acks)}`);
}

function toBytes(v: string | Buffer): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.isBuffer(v) ? v : Buffer.from(v);
}

function toRecordData(message: Message): RecordData {
  const headers: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = toBytes(v);
  return {
    key: message.key === undefined || message.key === null ? null : toBytes(message.key),
    value: message.value === null || message.value === undefined ? null : toBytes(message.value),
    headers,
    timestamp: message.timestamp ?? Date.now(),
  };
}
