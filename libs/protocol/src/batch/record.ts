import type { Buffer } from 'buffer';

/** A record as the codec sees it: bytes in, bytes out. */
export interface RecordData {
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer>;
  /** create time, ms since epoch */
  timestamp: number;
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
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  /** whole batch size in bytes: batchLength + 12 */
  sizeInBytes: number;
  /** baseOffset + lastOffsetDelta */
  lastOffset: number;
}
