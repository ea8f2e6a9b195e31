import type { Buffer } from 'buffer';
import type { Timestamp } from './timestamp';

/** A record as the codec sees it: bytes in, bytes out. */
export interface RecordData {
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer>;
  /**
   * ms since epoch, exact int64 (see Timestamp): the create time, or, in a batch with the
   * LogAppendTime attribute, the broker's append time (the batch's maxTimestamp)
   */
  timestamp: Timestamp;
}

/** A record read back from a log, with its place in the partition. */
export interface DecodedRecord extends RecordData {
  offset: number;
  headers: Record<string, Buffer>;
}

/** What a batch header says, read without touching the records. */
export interface BatchHeader {
  baseOffset: number;
  /** bytes after the batchLength field */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: Timestamp;
  maxTimestamp: Timestamp;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  /** whole batch size in bytes: batchLength + 12 */
  sizeInBytes: number;
  /** baseOffset + lastOffsetDelta */
  lastOffset: number;
}
