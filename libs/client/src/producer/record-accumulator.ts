import type { RecordData } from '@tributary/protocol';
import { tpKey } from '../util/topic-partition';
import { estimateRecordSize, ProducerBatch } from './producer-batch';

export interface AccumulatorOptions {
  /** target batch size in bytes; a record larger than this gets a batch of its own */
  batchSize: number;
  /** how long a batch waits for more records before it is ready */
  lingerMs: number;
}

export interface Placement {
  batch: ProducerBatch;
  /** the record's index within the batch, so its offset is baseOffset + index */
  index: number;
}

/**
 * Pending records, as a queue of batches per partition, sent in queue order (see ready()).
 */
export class RecordAccumulator {
  private readonly queues = new Map<string, ProducerBatch[]>();
  /** per partition, the ordinal of its next new batch */
  private readonly ordinals = new Map<string, number>();

  constructor(private readonly options: AccumulatorOptions) {}

  /** Whether appending a record of this size would start a new batch (the sticky partitioner's cue). */
  wouldStartNewBatch(topic: string, partition: number, recordSize: number): boolean {
    const last = this.lastOpen(topic, partition);
    return !last || !this.fits(last, recordSize);
  }

  append(topic: string, partition: number, record: RecordData, now: number): Placement {
    const size = estimateRecordSize(record);
    let batch = this.lastOpen(topic, partition);
    if (!batch || !this.fits(batch, size)) {
      if (batch) batch.closed = true;
      batch = new ProducerBatch(topic, partition, now);
      const key = tpKey(topic, partition);
      batch.ordinal = this.ordinals.get(key) ?? 0;
      this.ordinals.set(key, batch.ordinal + 1);
      const queue = this.queues.get(key) ?? [];
      queue.push(batch);
      this.queues.set(key, queue);
    }
    batch.records.push(record);
    batch.sizeInBytes += size;
    if (batch.sizeInBytes >= this.options.batchSize) batch.closed = true;
    return { batch, index: batch.records.length - 1 };
  }

  /**
   * The batches that may be sent now, per partition in queue order, none `maxInFlight` or more
   * batches after the partition's oldest unfinished one (1 without idempotence: only that one,
   * so a retry can never be overtaken; up to 5 with it, where the leader's sequence check keeps
   * order and remembers exactly that many batches to recognise a retry). Acknowledged batches
   * count too while an older one is unfinished. A batch waiting out a retry backoff holds
   * back every later one, so retries go out in sequence order. Only a partition's last batch
   * may still be open: it goes once closed (full/flushed), a retry, or older than lingerMs.
   * Returned batches are closed, so no record joins a batch after its bytes may have been sent.
   */
  ready(now: number, maxInFlight = 1): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (const queue of this.queues.values()) {
      const window = queue[0].ordinal + maxInFlight;
      for (let i = 0; i < queue.length; i++) {
        const b = queue[i];
        if (b.inFlight) continue;
        if (b.ordinal >= window || b.retryAt > now) break;
        if (!(b.closed || b.attempts > 0 || i < queue.length - 1 || now - b.createdAt >= this.options.lingerMs)) break;
        b.closed = true;
        out.push(b);
      }
    }
    return out;
  }

  /** Milliseconds until some partition's first batch not in flight becomes ready by time alone; undefined when none will. */
  nextReadyDelay(now: number, maxInFlight = 1): number | undefined {
    let next: number | undefined;
    for (const queue of this.queues.values()) {
      const head = queue.find((b) => !b.inFlight);
      // a partition at its window's end becomes ready when an answer comes, not with time
      if (!head || head.ordinal >= queue[0].ordinal + maxInFlight) continue;
      const at = head.attempts > 0 || head.closed ? head.retryAt : Math.max(head.retryAt, head.createdAt + this.options.lingerMs);
      const delay = Math.max(0, at - now);
      if (next === undefined || delay < next) next = delay;
    }
    return next;
  }

  /** Whether `batch` is the oldest unfinished batch of its partition (every earlier one was acknowledged or failed). */
  isOldest(batch: ProducerBatch): boolean {
    return this.queues.get(tpKey(batch.topic, batch.partition))?.[0] === batch;
  }

  /** Every unfinished batch, each partition's in queue order. */
  pending(): ProducerBatch[] {
    return [...this.queues.values()].flat();
  }

  /** Removes a finished head batch, unblocking its partition. */
  remove(batch: ProducerBatch): void {
    const key = tpKey(batch.topic, batch.partition);
    const queue = this.queues.get(key);
    if (!queue) return;
    const i = queue.indexOf(batch);
    if (i >= 0) queue.splice(i, 1);
    if (queue.length === 0) this.queues.delete(key);
  }

  /** Closes every batch so all become ready now; returns those not yet done (what a flush waits for). */
  closeAll(): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (const queue of this.queues.values()) {
      for (const b of queue) {
        b.closed = true;
        out.push(b);
      }
    }
    return out;
  }

  /** Fails and drops everything (the producer is going away without flushing). */
  failAll(error: Error): void {
    for (const queue of this.queues.values()) for (const b of queue) b.fail(error);
    this.queues.clear();
  }

  get isEmpty(): boolean {
    return this.queues.size === 0;
  }

  private lastOpen(topic: string, partition: number): ProducerBatch | undefined {
    const queue = this.queues.get(tpKey(topic, partition));
    const last = queue?.[queue.length - 1];
    return last && !last.closed ? last : undefined;
  }

  private fits(batch: ProducerBatch, recordSize: number): boolean {
    return batch.records.length === 0 || batch.sizeInBytes + recordSize <= this.options.batchSize;
  }
}
