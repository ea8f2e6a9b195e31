import {
  encodeProduceEntries,
  ErrorCode,
  Events,
  type TributaryError,
  type Acks,
  type MetadataRequest,
  type MetadataResponse,
  type ProduceRequest,
  type ProduceResponse,
} from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster';
import { asTributaryError, RetriesExhaustedError, TopicError } from '../errors';
import type { Logger } from '../logger/logger';
import { backoffMs, type ResolvedRetryOptions } from '../retry/retrier';
import type { Timer } from '../util/timers';
import { tpKey } from '../util/topic-partition';
import type { ProducerIdentity } from './idempotence';
import type { ProducerBatch } from './producer-batch';
import type { RecordAccumulator } from './record-accumulator';

export interface SenderOptions {
  acks: Acks;
  /** how long the broker may wait for in-sync replicas (sent in the request) */
  timeoutMs: number;
  requestTimeoutMs: number;
  maxInFlightPerBroker: number;
  /** batches of one partition in flight at once: 1 without idempotence, up to 5 with it */
  maxInFlightPerPartition: number;
  /** the idempotent producer's id, epoch and sequences; null when idempotence is off */
  identity: ProducerIdentity | null;
  /** cap on one request's framed data: socket.io brokers refuse larger messages (maxHttpBufferSize) */
  maxRequestSize: number;
  retry: ResolvedRetryOptions;
  logger: Logger;
}

/**
 * An acks=all request the leader has not answered after this long is checked against fresh
 * metadata from the other brokers, then every STALL_CHECK_EVERY_MS: a leader that was
 * paused, crashed or cut off is replaced by an election within about a lease, and the batch
 * should follow the new leader then, not after the request's full timeout.
 */
const STALL_CHECK_AFTER_MS = 1500;
const STALL_CHECK_EVERY_MS = 1000;
/** a broker's own answer is bounded by the request's timeoutMs; past this much more it is gone */
const MAX_ANSWER_GRACE_MS = 5000;

/** Per-entry framing in a produce request: int16 topic length, topic, int32 partition, int32 byte count. */
const utf8 = new TextEncoder();
function entryOverhead(topic: string): number {
  return 2 + utf8.encode(topic).length + 8;
}

/**
 * Moves ready batches from the accumulator to partition leaders. Event-driven, not a polling
 * loop: it drains when records arrive, a linger or backoff timer fires, a request completes,
 * or metadata changes. Each drain groups ready batches by leader and sends one produce
 * request per broker (split only to stay under maxRequestSize).
 */
export class Sender {
  private readonly inFlightByBroker = new Map<number, number>();
  private timer: Timer | undefined;
  private timerAt = Infinity;
  private scheduled = false;
  private stopped = false;
  private changingEpoch = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly accumulator: RecordAccumulator,
    private readonly options: SenderOptions,
  ) {}

  /** Drains soon (next macrotask), coalescing many appends in one tick into one drain. */
  wakeup(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      this.drain();
    }, 0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private drain(): void {
    if (this.stopped) return;
    const identity = this.options.identity;
    if (identity && !identity.ready) {
      this.prepareIdentity(identity);
      return;
    }
    const now = Date.now();
    const byBroker = new Map<number, ProducerBatch[]>();
    let leaderless = false;
    for (const batch of this.accumulator.ready(now, this.options.maxInFlightPerPartition)) {
      const leader = this.cluster.leaderOf(batch.topic, batch.partition);
      if (leader === undefined) {
        // counts as a retriable failure, so a partition that stays leaderless fails its sends in bounded time
        this.fail(batch, new TopicError(ErrorCode.LEADER_NOT_AVAILABLE, undefined, batch.topic, batch.partition));
        leaderless = true;
        continue;
      }
      // stamped in queue order as first sent; a retry keeps its stamp
      identity?.stamp(batch);
      const list = byBroker.get(leader) ?? [];
      list.push(batch);
      byBroker.set(leader, list);
    }
    for (const [brokerId, batches] of byBroker) {
      for (const group of this.splitBySize(batches)) {
        const inFlight = this.inFlightByBroker.get(brokerId) ?? 0;
        // the rest stay ready: the completion of an in-flight request drains again
        if (inFlight >= this.options.maxInFlightPerBroker) break;
        this.inFlightByBroker.set(brokerId, inFlight + 1);
        for (const b of group) b.inFlight = true;
        void this.sendTo(brokerId, group).finally(() => {
          this.inFlightByBroker.set(brokerId, (this.inFlightByBroker.get(brokerId) ?? 1) - 1);
          this.wakeup();
        });
      }
    }
    if (leaderless) this.refreshMetadataThenWakeup();
    this.armTimer(now);
  }

  /**
   * A new producer epoch (see ProducerIdentity) is taken only once nothing is in flight, so no
   * batch of the old epoch can land after one of the new; then every unacknowledged batch is
   * stamped afresh, in queue order, as it is sent again.
   */
  private prepareIdentity(identity: ProducerIdentity): void {
    if (this.changingEpoch) return;
    for (const n of this.inFlightByBroker.values()) if (n > 0) return; // the last answer drains again
    this.changingEpoch = true;
    const step = identity.producerId < 0 ? identity.ensure() : identity.bumpEpoch();
    step
      .then(
        () => {
          for (const b of this.accumulator.pending()) b.stamp(-1, -1, -1);
          this.options.logger.debug('idempotent producer epoch', { producerId: identity.producerId, producerEpoch: identity.producerEpoch });
        },
        (err: unknown) => {
          // initProducerId already retried: the batches waiting for it fail (as they would on
          // any broker error past the retry budget); the next send asks for the epoch again
          const error = asTributaryError(err);
          this.options.logger.warn('could not get a producer id or epoch', { error: error.message });
          for (const b of this.accumulator.pending()) {
            this.accumulator.remove(b);
            b.fail(error);
          }
        },
      )
      .finally(() => {
        this.changingEpoch = false;
        this.wakeup();
      });
  }

  /**
   * Groups a broker's batches into requests under maxRequestSize, each partition at most once
   * per request and its batches in later requests than its earlier ones (requests go out in
   * order on one connection, so the leader sees a partition's batches in sequence order).
   */
  private splitBySize(batches: ProducerBatch[]): ProducerBatch[][] {
    const groups: Array<{ batches: ProducerBatch[]; size: number }> = [];
    const lastGroupOf = new Map<string, number>();
    for (const b of batches) {
      const bytes = entryOverhead(b.topic) + b.encoded().length;
      const key = tpKey(b.topic, b.partition);
      let i = (lastGroupOf.get(key) ?? -1) + 1;
      while (i < groups.length && groups[i].batches.length > 0 && groups[i].size + bytes > this.options.maxRequestSize) i++;
      if (i === groups.length) groups.push({ batches: [], size: 0 });
      groups[i].batches.push(b);
      groups[i].size += bytes;
      lastGroupOf.set(key, i);
    }
    return groups.map((g) => g.batches);
  }

  private armTimer(now: number): void {
    const delay = this.accumulator.nextReadyDelay(now, this.options.maxInFlightPerPartition);
    if (delay === undefined) return;
    const at = now + delay;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.drain();
    }, delay);
  }

  private async sendTo(brokerId: number, batches: ProducerBatch[]): Promise<void> {
    const { acks, timeoutMs, requestTimeoutMs } = this.options;
    let retriable = false;
    try {
      const connection = this.cluster.connectionFor(brokerId);
      const request: ProduceRequest = {
        acks,
        timeoutMs,
        data: encodeProduceEntries(batches.map((b) => ({ topic: b.topic, partition: b.partition, batches: b.encoded() }))),
      };
      if (acks === 0) {
        await connection.send(Events.produce, request);
        for (const b of batches) this.succeed(b, -1, -1);
        return;
      }
      // the broker may legitimately hold the request for timeoutMs waiting on replicas
      const deadlineMs = timeoutMs + Math.min(requestTimeoutMs, MAX_ANSWER_GRACE_MS);
      const response = await this.untilLeaderMoves(brokerId, batches, connection.request<ProduceRequest, ProduceResponse>(Events.produce, request, deadlineMs));
      const byKey = new Map(response.partitions.map((p) => [tpKey(p.topic, p.partition), p]));
      for (const b of batches) {
        const answer = byKey.get(tpKey(b.topic, b.partition));
        if (!answer) {
          retriable =
            this.fail(b, new TopicError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker did not answer for this partition', b.topic, b.partition)) || retriable;
        } else if (answer.errorCode === ErrorCode.NONE) {
          this.succeed(b, answer.baseOffset, answer.logStartOffset);
        } else {
          retriable = this.fail(b, new TopicError(answer.errorCode, answer.errorMessage, b.topic, b.partition)) || retriable;
        }
      }
    } catch (err) {
      const error = asTributaryError(err);
      this.options.logger.debug('produce request failed', { brokerId, error: error.message, code: error.code });
      for (const b of batches) retriable = this.fail(b, error) || retriable;
    }
    if (retriable) this.refreshMetadataThenWakeup();
  }

  /**
   * Resolves with the leader's answer, or rejects (retriable NOT_LEADER_OR_FOLLOWER) as soon
   * as metadata from another broker names a different leader for one of the batches. The
   * abandoned request may still be written by the deposed leader, which can no longer commit
   * it; per-partition order holds because a partition has one batch in flight at a time, or,
   * with idempotence, because the leader refuses a batch out of sequence.
   */
  private untilLeaderMoves<T>(brokerId: number, batches: ProducerBatch[], answer: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        fn();
      };
      const check = async () => {
        timer = undefined;
        if (settled || this.stopped) return;
        const moved = await this.leaderMovedFrom(brokerId, batches).catch(() => undefined);
        if (settled) return;
        if (moved) {
          finish(() =>
            reject(
              new TopicError(
                ErrorCode.NOT_LEADER_OR_FOLLOWER,
                `broker ${brokerId} did not answer and no longer leads ${moved.topic}-${moved.partition}`,
                moved.topic,
                moved.partition,
              ),
            ),
          );
          return;
        }
        timer = setTimeout(() => void check(), STALL_CHECK_EVERY_MS);
      };
      timer = setTimeout(() => void check(), STALL_CHECK_AFTER_MS);
      answer.then(
        (v) => finish(() => resolve(v)),
        (e: unknown) => finish(() => reject(e)),
      );
    });
  }

  /**
   * Asks the other brokers (not the silent one, which may hang the question too) for the
   * batches' topics; the first answer updates the cache, whose epoch rule ignores stale views.
   */
  private async leaderMovedFrom(brokerId: number, batches: ProducerBatch[]): Promise<ProducerBatch | undefined> {
    const topics = [...new Set(batches.map((b) => b.topic))];
    const request: MetadataRequest = { topics };
    for (const broker of this.cluster.brokers()) {
      if (broker.id === brokerId) continue;
      try {
        const response = await this.cluster
          .connectionFor(broker.id)
          .request<MetadataRequest, MetadataResponse>(Events.metadata, request, STALL_CHECK_EVERY_MS * 2);
        this.cluster.metadata.apply(response, topics, Date.now());
        break;
      } catch {
        // cut off, down, or stale: ask the next one
      }
    }
    return batches.find((b) => {
      const leader = this.cluster.leaderOf(b.topic, b.partition);
      return leader !== undefined && leader !== brokerId;
    });
  }

  private succeed(batch: ProducerBatch, baseOffset: number, logStartOffset: number): void {
    batch.inFlight = false;
    this.accumulator.remove(batch);
    batch.succeed({ baseOffset, logStartOffset });
  }

  /**
   * Schedules a retry, or fails the batch for good. Returns whether the error was retriable:
   * metadata is then refreshed even when no retry is left (`retries: 0`), so the next send
   * goes to the new leader.
   */
  private fail(batch: ProducerBatch, error: TributaryError): boolean {
    batch.inFlight = false;
    const identity = this.options.identity;
    if (identity && batch.baseSequence >= 0 && this.sequenceProblem(identity, batch, error)) return false;
    if (error.retriable && batch.attempts < this.options.retry.retries && !this.stopped) {
      batch.retryAt = Date.now() + backoffMs(batch.attempts, this.options.retry);
      batch.attempts++;
      this.options.logger.debug('retrying batch', { topic: batch.topic, partition: batch.partition, attempt: batch.attempts, error: error.message });
      return true;
    }
    this.accumulator.remove(batch);
    batch.fail(error.retriable ? new RetriesExhaustedError(error, batch.attempts) : error);
    // A stamped batch that failed for good leaves a gap in its partition's sequence: the
    // batches after it could never be accepted, so the producer moves to a new epoch (KIP-360).
    if (identity && batch.baseSequence >= 0) identity.needsNewEpoch = true;
    return error.retriable;
  }

  /**
   * The idempotent producer's own errors, handled as Kafka's producer does. Returns true when
   * the batch was put back to be sent again (not counted as a failure):
   * - OUT_OF_ORDER_SEQUENCE_NUMBER while an earlier batch of the partition is unacknowledged:
   *   that one failed or is being retried, and this one follows it in sequence order.
   * - OUT_OF_ORDER_SEQUENCE_NUMBER for the oldest unacknowledged batch, or UNKNOWN_PRODUCER_ID:
   *   the leader no longer has the sequence this producer continues (its state expired, or
   *   acknowledged records were lost); none of the unacknowledged batches can be in the log
   *   (the leader keeps the last five, and no batch is sent five or more batches after the
   *   oldest unacknowledged one), so the producer starts a new epoch and sends them again from
   *   sequence 0. Bounded by the retry budget.
   */
  private sequenceProblem(identity: ProducerIdentity, batch: ProducerBatch, error: TributaryError): boolean {
    const outOfOrder = error.code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER;
    if (!outOfOrder && error.code !== ErrorCode.UNKNOWN_PRODUCER_ID) return false;
    if (outOfOrder && !this.accumulator.isOldest(batch)) {
      batch.retryAt = 0;
      return true;
    }
    if (batch.attempts >= this.options.retry.retries || this.stopped) return false;
    batch.attempts++;
    batch.retryAt = 0;
    if (batch.producerEpoch === identity.producerEpoch) identity.needsNewEpoch = true;
    this.options.logger.warn('sequence broken on the leader; starting a new producer epoch', {
      topic: batch.topic,
      partition: batch.partition,
      error: error.message,
    });
    return true;
  }

  private refreshMetadataThenWakeup(): void {
    this.cluster
      .refreshMetadata()
      .catch((err: unknown) => this.options.logger.warn('metadata refresh failed', { error: String(err) }))
      .finally(() => this.wakeup());
  }
}
