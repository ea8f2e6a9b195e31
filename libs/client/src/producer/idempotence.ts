import { Events, incrementSequence, type InitProducerIdRequest, type InitProducerIdResponse } from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster';
import type { Logger } from '../logger/logger';
import { retry, type ResolvedRetryOptions } from '../retry/retrier';
import { tpKey } from '../util/topic-partition';
import type { ProducerBatch } from './producer-batch';

/**
 * The idempotent producer's identity and sequences (KIP-98): a producer id and epoch from
 * initProducerId, and per partition the sequence number of the next record. A batch is
 * stamped when first sent and keeps its stamp through retries, so the leader recognises a
 * retry of a batch it already holds and answers with the original offset.
 *
 * When a partition's sequence can no longer continue (a batch failed for good, leaving a gap;
 * the leader lost the producer's state: UNKNOWN_PRODUCER_ID, or a gap at the oldest unacked
 * batch: OUT_OF_ORDER_SEQUENCE_NUMBER), the producer starts a new epoch as KIP-360 does: once
 * nothing is in flight it asks initProducerId for the next epoch of its id, every partition
 * restarts at sequence 0, and unacknowledged batches are stamped afresh when sent again.
 */
export class ProducerIdentity {
  producerId = -1;
  producerEpoch = -1;
  /** set when a new epoch is needed; the sender stops sending until it is in place */
  needsNewEpoch = false;
  private readonly nextSequence = new Map<string, number>();
  private initializing: Promise<void> | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly retryOptions: ResolvedRetryOptions,
    private readonly logger: Logger,
  ) {}

  get ready(): boolean {
    return this.producerId >= 0 && !this.needsNewEpoch;
  }

  /** Gets a producer id once (retrying while no broker or Redis can answer). */
  ensure(): Promise<void> {
    if (this.producerId >= 0) return Promise.resolve();
    this.initializing ??= this.init({}).finally(() => {
      this.initializing = null;
    });
    return this.initializing;
  }

  /** KIP-360: the next epoch of this id (or a new id); every partition restarts at sequence 0. */
  async bumpEpoch(): Promise<void> {
    this.initializing ??= this.init({ producerId: this.producerId, producerEpoch: this.producerEpoch }).finally(() => {
      this.initializing = null;
    });
    await this.initializing;
    this.nextSequence.clear();
    this.needsNewEpoch = false;
  }

  /** Stamps a batch not stamped yet with the id, epoch and its partition's next sequence. */
  stamp(batch: ProducerBatch): void {
    if (batch.baseSequence >= 0) return;
    const key = tpKey(batch.topic, batch.partition);
    const seq = this.nextSequence.get(key) ?? 0;
    batch.stamp(this.producerId, this.producerEpoch, seq);
    this.nextSequence.set(key, incrementSequence(seq, batch.records.length));
  }

  private async init(request: InitProducerIdRequest): Promise<void> {
    const response = await retry(
      // any broker answers: first one this client already talks to; each retry asks the next
      (attempt) => this.cluster.anyBrokerConnection(attempt).request<InitProducerIdRequest, InitProducerIdResponse>(Events.initProducerId, request),
      this.retryOptions,
      { onRetry: () => this.cluster.refreshMetadata().catch(() => undefined) },
    );
    this.producerId = response.producerId;
    this.producerEpoch = response.producerEpoch;
    this.logger.debug('producer id', { producerId: this.producerId, producerEpoch: this.producerEpoch });
  }
}
