import type { Buffer } from 'buffer';
import { BatchLayout, readTimestamp, type Timestamp } from '@tributary/protocol';

/** What the log keeps about a batch: enough to index and serve it, never its records. */
export interface BatchSummary {
  position: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: Timestamp;
  size: number;
}

/**
 * Reads the few header fields the log needs from a batch already on disk. Unlike
 * readBatchHeader it allocates no full header and checks nothing beyond the length: batches
 * in a segment were validated on append or on recovery.
 */
export function peekBatch(buf: Buffer, at: number, position: number): BatchSummary {
  const baseOffset = Number(buf.readBigInt64BE(at + BatchLayout.BASE_OFFSET));
  return {
    position,
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(at + BatchLayout.LAST_OFFSET_DELTA),
    maxTimestamp: readTimestamp(buf, at + BatchLayout.MAX_TIMESTAMP),
    size: buf.readInt32BE(at + BatchLayout.BATCH_LENGTH) + BatchLayout.LOG_OVERHEAD,
  };
}
