import { EARLIEST_TIMESTAMP, isValidTopicName, LATEST_TIMESTAMP, timestampToNumber, type DecodedRecord } from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster';
import { listOffsets } from '../cluster/list-offsets';
import { ClientStateError } from '../errors';
import type { Logger } from '../logger/logger';
import { backoffMs, resolveRetry, type ResolvedRetryOptions } from '../retry/retrier';
import { TypedEmitter, type Listener } from '../util/emitter';
import { Semaphore } from '../util/semaphore';
import { definedOnly } from '../util/objects';
import { sleepUnless, type Timer } from '../util/timers';
import type { TopicPartition } from '../util/topic-partition';
import { Assignment, type PartitionState } from './assignment';
import { BrokerFetcher, HandlerFailedError, type FetchSettings } from './fetcher';
import { GroupConsumer } from './group/group-consumer';
import type { SubscribeOptions } from './group/group-types';
import type { OffsetCommitPartition } from '@tributary/protocol';
import type { ConsumedMessage, ConsumerEvents, ConsumerOptions, RunConfig, TopicPartitionOffset, TopicPartitions } from './types';

export const CONSUMER_DEFAULTS = {
  maxWaitMs: 500,
  minBytes: 1,
  maxBytes: 10 * 1024 * 1024,
  maxBytesPerPartition: 1024 * 1024,
  autoOffsetReset: 'earliest' as 'earliest' | 'latest',
  partitionsConsumedConcurrently: 1,
};

/** how long a member whose session is in doubt waits before fetching again */
const SESSION_DOUBT_BACKOFF_MS = 200;

export interface ConsumerDeps {
  cluster: Cluster;
  requestTimeoutMs: number;
  retry: ResolvedRetryOptions;
  logger: Logger;
}

/**
 * A consumer with manual assignment: it reads the partitions it is given, one fetch loop per
 * leader broker. Group membership can sit on top later: a rebalance is an assign(), and a
 * commit reads position().
 */
export class Consumer {
  private readonly cluster: Cluster;
  private readonly logger: Logger;
  private readonly settings: FetchSettings;
  private autoOffsetReset: 'earliest' | 'latest';
  private readonly group: GroupConsumer | null = null;
  private readonly state = new Assignment();
  private readonly emitter = new TypedEmitter<ConsumerEvents>();
  private readonly handlers: Semaphore;
  private readonly fetchers = new Map<number, Promise<void>>();
  private config: RunConfig | null = null;
  private running = false;
  private stopSignal: { promise: Promise<void>; fire: () => void } = stopSignal();
  private leaderlessTimer: Timer | undefined;
  private leaderlessRetries = 0;

  constructor(deps: ConsumerDeps, options: ConsumerOptions = {}) {
    this.cluster = deps.cluster;
    this.logger = deps.logger.namespace('consumer');
    const o = { ...CONSUMER_DEFAULTS, ...definedOnly(options) };
    if (o.maxWaitMs < 0 || o.minBytes < 0 || o.maxBytes < 1 || o.maxBytesPerPartition < 1 || o.partitionsConsumedConcurrently < 1) {
      throw new ClientStateError(
        'consumer options: maxWaitMs and minBytes must not be negative, the byte limits and partitionsConsumedConcurrently must be positive',
      );
    }
    this.settings = {
      maxWaitMs: o.maxWaitMs,
      minBytes: o.minBytes,
      maxBytes: o.maxBytes,
      maxBytesPerPartition: o.maxBytesPerPartition,
      requestTimeoutMs: deps.requestTimeoutMs,
      retry: resolveRetry(options.retry, deps.retry),
    };
    this.autoOffsetReset = o.autoOffsetReset;
    this.handlers = new Semaphore(o.partitionsConsumedConcurrently);
    if (options.groupId !== undefined) {
      this.group = new GroupConsumer(
        this.cluster,
        {
          assign: (partitions) => this.assign(partitions),
          assignment: () => this.assignment(),
          position: (topic, partition) => this.position(topic, partition),
          setAutoOffsetReset: (reset) => (this.autoOffsetReset = reset),
          emitGroupJoin: (event) => this.emitter.emit('group.join', event),
          emitRebalancing: () => this.emitter.emit('rebalancing', { groupId: options.groupId ?? '' }),
        },
        { ...options, groupId: options.groupId },
        'tributary-consumer',
        this.logger,
      );
    }
  }

  /** Group consumers only: the topics (names or patterns) whose partitions the group shares out. */
  async subscribe(options: SubscribeOptions): Promise<void> {
    if (!this.group) throw new ClientStateError('subscribe() needs a groupId in the consumer options; use assign() without one');
    await this.cluster.connect();
    await this.group.subscribe(options);
  }

  /** Group consumers only: commits the given offsets (next to read), or every partition's position. */
  async commitOffsets(offsets?: readonly OffsetCommitPartition[]): Promise<void> {
    if (!this.group) throw new ClientStateError('commitOffsets() needs a groupId in the consumer options');
    await this.group.commitOffsets(offsets);
  }

  on<K extends keyof ConsumerEvents>(event: K, listener: Listener<ConsumerEvents[K]>): () => void {
    return this.emitter.on(event, listener);
  }

  async connect(): Promise<void> {
    await this.cluster.connect();
  }

  /** Replaces the assignment; an offset given is where reading starts, otherwise autoOffsetReset decides. */
  assign(partitions: readonly TopicPartitionOffset[]): void {
    for (const p of partitions) {
      if (!isValidTopicName(p.topic)) throw new ClientStateError(`topic name '${p.topic}' is invalid`);
      if (!Number.isInteger(p.partition) || p.partition < 0) throw new ClientStateError(`partition ${p.partition} is invalid`);
      if (p.offset !== undefined) assertOffset(p.offset);
    }
    this.state.assign(partitions);
    if (this.running) void this.loadTopicsAndReconcile();
  }

  /** Moves a partition's position; the next fetch reads from there, and data fetched before is dropped. */
  seek({ topic, partition, offset }: { topic: string; partition: number; offset: number }): void {
    assertOffset(offset);
    if (!this.state.seek(topic, partition, offset)) throw new ClientStateError(`partition ${topic}/${partition} is not assigned to this consumer`);
    this.group?.seeked(topic, partition, offset);
    this.reconcile();
  }

  pause(specs: readonly TopicPartitions[]): void {
    this.state.setPaused(specs, true);
  }

  resume(specs: readonly TopicPartitions[]): void {
    this.state.setPaused(specs, false);
    this.reconcile();
  }

  paused(): TopicPartitions[] {
    const byTopic = new Map<string, number[]>();
    for (const s of this.state.all()) if (s.paused) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s.partition]);
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }

  assignment(): TopicPartition[] {
    return this.state.all().map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  /** The next offset this consumer will hand over for the partition; null before it is known. */
  position(topic: string, partition: number): number | null {
    return this.state.get(topic, partition)?.position ?? null;
  }

  /** Starts the fetch loops and resolves once they run (not when they stop), like KafkaJS. */
  async run(config: RunConfig): Promise<void> {
    if (this.running) throw new ClientStateError('the consumer is already running');
    if (!config.eachMessage === !config.eachBatch) throw new ClientStateError('run() needs exactly one of eachMessage or eachBatch');
    await this.cluster.connect();
    await this.cluster.addTargetTopics(this.state.topics());
    this.config = config;
    this.stopSignal = stopSignal();
    this.running = true;
    this.reconcile();
    await this.group?.start();
  }

  /** Stops fetching; resolves once no handler is running any more. */
  async stop(): Promise<void> {
    // the group goes first: it commits the final positions and leaves while they are still known
    await this.group?.stop();
    this.running = false;
    this.stopSignal.fire();
    if (this.leaderlessTimer) clearTimeout(this.leaderlessTimer);
    this.leaderlessTimer = undefined;
    await Promise.all([...this.fetchers.values()]);
  }

  async disconnect(): Promise<void> {
    await this.stop();
    await this.cluster.disconnect();
  }

  private async loadTopicsAndReconcile(): Promise<void> {
    try {
      await this.cluster.addTargetTopics(this.state.topics());
    } catch (err) {
      this.logger.warn('could not load metadata for the assigned topics; will keep trying', { error: String(err) });
    }
    this.reconcile();
  }

  /** Starts a fetch loop for every leader of a fetchable partition that has none; retries leaderless ones later. */
  private reconcile(): void {
    if (!this.running) return;
    let leaderless = false;
    const leaders = new Set<number>();
    for (const s of this.state.fetchable()) {
      const leader = this.cluster.leaderOf(s.topic, s.partition);
      if (leader === undefined) leaderless = true;
      else leaders.add(leader);
    }
    for (const brokerId of leaders) if (!this.fetchers.has(brokerId)) this.startFetcher(brokerId);
    if (!leaderless) this.leaderlessRetries = 0;
    else if (!this.leaderlessTimer) {
      const delay = backoffMs(Math.min(this.leaderlessRetries++, 16), this.settings.retry);
      this.leaderlessTimer = setTimeout(() => {
        this.leaderlessTimer = undefined;
        void this.refreshAndReconcile();
      }, delay);
    }
  }

  private startFetcher(brokerId: number): void {
    const fetcher = new BrokerFetcher({
      brokerId,
      cluster: this.cluster,
      assignment: this.state,
      settings: this.settings,
      logger: this.logger,
      isRunning: () => this.running,
      stopped: this.stopSignal.promise,
      deliver: (state, version, hw, records) => this.deliver(state, version, hw, records),
      resetPositions: (states) => this.resetPositions(states),
      onStaleMetadata: () => this.refreshAndReconcile(),
    });
    const loop = fetcher
      .run()
      .catch((err: unknown) => this.crash(err))
      .finally(() => {
        this.fetchers.delete(brokerId);
        this.reconcile();
      });
    this.fetchers.set(brokerId, loop);
  }

  private async refreshAndReconcile(): Promise<void> {
    try {
      await this.cluster.refreshMetadata();
    } catch (err) {
      this.logger.warn('metadata refresh failed', { error: String(err) });
    }
    this.reconcile();
  }

  private crash(err: unknown): void {
    const error = err instanceof HandlerFailedError ? err.cause : err instanceof Error ? err : new Error(String(err));
    this.logger.error('consumer crashed', { error: error.message });
    if (!this.running) return;
    this.running = false;
    this.stopSignal.fire();
    this.emitter.emit('crash', { error });
  }

  private async resetPositions(states: PartitionState[]): Promise<void> {
    const timestamp = this.autoOffsetReset === 'latest' ? LATEST_TIMESTAMP : EARLIEST_TIMESTAMP;
    const versions = states.map((s) => s.version);
    const answers = await listOffsets(
      this.cluster,
      states.map((s) => ({ topic: s.topic, partition: s.partition, timestamp })),
    );
    states.forEach((s, i) => {
      const answer = answers.find((a) => a.topic === s.topic && a.partition === s.partition);
      if (answer && s.position === null && this.state.isCurrent(s, versions[i])) s.position = answer.offset;
    });
  }

  /** Runs the handler over records in offset order, advancing the position after each success. */
  private async deliver(state: PartitionState, version: number, highWatermark: number, records: DecodedRecord[]): Promise<void> {
    const config = this.config;
    if (!config) return;
    const live = (): boolean => this.running && !state.paused && this.state.isCurrent(state, version);
    let inDoubt = false;
    // a group member hands out records only while its session surely holds; after a pause it
    // asks the coordinator first, so a member the group replaced meanwhile reads nothing more
    const confirm = async (group: GroupConsumer): Promise<boolean> => {
      if (await group.confirmSession()) return live();
      inDoubt = true;
      return false;
    };
    // synchronous on the common path: no extra await per message
    const mayHandOut = (): boolean | Promise<boolean> => (!this.group || this.group.sessionSurelyAlive ? live() : confirm(this.group));
    const failure = await this.handlers.run(async (): Promise<unknown> => {
      const first = mayHandOut();
      if (first === false || (first !== true && !(await first))) return undefined;
      const messages: ConsumedMessage[] = records.map(toMessage);
      this.group?.handedOut(state.topic, state.partition, messages[0].offset, messages[messages.length - 1].offset);
      try {
        if (config.eachBatch) {
          await config.eachBatch({ batch: { topic: state.topic, partition: state.partition, highWatermark, messages } });
          if (this.state.isCurrent(state, version)) this.advance(state, messages[messages.length - 1].offset + 1);
          return undefined;
        }
        for (const message of messages) {
          const gate = mayHandOut();
          if (gate === false || (gate !== true && !(await gate))) return undefined;
          await config.eachMessage?.({ topic: state.topic, partition: state.partition, message });
          if (this.state.isCurrent(state, version)) this.advance(state, message.offset + 1);
        }
        return undefined;
      } catch (err) {
        return err ?? new Error('handler threw a falsy value');
      }
    });
    // back off outside the semaphore, so other partitions' handlers are not held up meanwhile
    if (failure !== undefined) await this.handlerFailed(state, failure);
    // the records were dropped unread: the next fetch brings them again, once the group decided
    else if (inDoubt) await sleepUnless(SESSION_DOUBT_BACKOFF_MS, this.stopSignal.promise);
  }

  private advance(state: PartitionState, position: number): void {
    state.position = position;
    state.handlerFailures = 0;
  }

  /** The position stays on the failed message, so the next fetch redelivers it; too many failures crash. */
  private async handlerFailed(state: PartitionState, err: unknown): Promise<void> {
    const error = err instanceof Error ? err : new Error(String(err));
    state.handlerFailures++;
    this.logger.warn('handler failed, the message will be redelivered', {
      topic: state.topic,
      partition: state.partition,
      offset: state.position,
      attempt: state.handlerFailures,
      error: error.message,
    });
    if (state.handlerFailures > this.settings.retry.retries) throw new HandlerFailedError(error);
    await sleepUnless(backoffMs(state.handlerFailures - 1, this.settings.retry), this.stopSignal.promise);
  }
}

function toMessage(r: DecodedRecord): ConsumedMessage {
  return { offset: r.offset, key: r.key, value: r.value, headers: r.headers, timestamp: timestampToNumber(r.timestamp) };
}

function assertOffset(offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new ClientStateError(`offset ${offset} is invalid: use a non-negative integer`);
}

function stopSignal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}
