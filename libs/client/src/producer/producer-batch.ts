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
 * encoded once, when first sent, so a retry resends exactly the same batch.
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
    this.encodedBytes ??= encodeRecordBatch(this.records);
    return this.encodedBytes;
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
