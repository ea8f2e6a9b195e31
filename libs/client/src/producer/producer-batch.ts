import type { Buffer } from 'buffer';
import { encodeRecordBatch, type RecordData } from '@tributary/protocol';

/** RecordBatch v2 header size: the fixed part of every batch. */
export const BATCH_OVERHEAD = 61;

export interface BatchAck {
  baseOffset: number;
  logStartOffset: number;
}

/**
 * The records bound for one partition that will travel in one RecordBatch. Its bytes are
 * encoded once, when first sent, so a retry resends exactly the same batch (re-encoded only
 * when a new producer epoch re-stamps it).
 */
export class ProducerBatch {
  readonly records: RecordData[] = [];
  sizeInBytes = BATCH_OVERHEAD;
  /** no more appends: full, flushed, or taken for sending */
  closed = false;
  inFlight = false;
  /** retries so far */
  attempts = 0;
  /** not before this time (ms since epoch) when retrying */
  retryAt = 0;
  /** the batch's place in its partition's sequence of batches (0, 1, 2...), set by the accumulator */
  ordinal = 0;
  /** idempotence (KIP-98): -1 until stamped when first sent; kept through retries */
  producerId = -1;
  producerEpoch = -1;
  baseSequence = -1;
  private encodedBytes: Buffer | null = null;
  /** resolves with the broker's ack or rejects with the batch's final error */
  readonly result: Promise<BatchAck>;
  /** resolves when the batch is done either way (what flush waits for) */
  readonly settled: Promise<void>;
  private resolveResult!: (ack: BatchAck) => void;
  private rejectResult!: (error: Error) => void;
  private done = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly createdAt: number,
  ) {
    this.result = new Promise<BatchAck>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    this.settled = this.result.then(
      () => undefined,
      () => undefined,
    );
  }

  get isDone(): boolean {
    return this.done;
  }

  encoded(): Buffer {
    this.encodedBytes ??= encodeRecordBatch(this.records, { producerId: this.producerId, producerEpoch: this.producerEpoch, baseSequence: this.baseSequence });
    return this.encodedBytes;
  }

  /** Sets (or, with -1, clears) the idempotence fields; the bytes are encoded again with them. */
  stamp(producerId: number, producerEpoch: number, baseSequence: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
    this.encodedBytes = null;
  }

  succeed(ack: BatchAck): void {
    if (this.done) return;
    this.done = true;
    this.resolveResult(ack);
  }

  fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.rejectResult(error);
  }
}

/**
 * An upper bound on a record's encoded size (varints at their widest), so a batch built to
 * `batchSize` never encodes larger than that.
 */
export function estimateRecordSize(record: RecordData): number {
  let size = 1 + 10 + 5 + 5 + 5 + 5 + 5; // length, attributes, timestamp delta, offset delta, key/value lengths, header count
  size += record.key?.length ?? 0;
  size += record.value?.length ?? 0;
  for (const [k, v] of Object.entries(record.headers ?? {})) size += 10 + k.length * 3 + v.length;
  return size;
}
