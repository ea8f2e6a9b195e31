/**
 * Byte positions of Kafka's RecordBatch v2 header (magic 2). baseOffset, batchLength and
 * partitionLeaderEpoch lie before the CRC'd region, which is why the leader can assign
 * offsets by patching them in place without re-encoding or re-checksumming the records.
 */
export const BASE_OFFSET = 0;
export const BATCH_LENGTH = 8;
export const PARTITION_LEADER_EPOCH = 12;
export const MAGIC = 16;
export const CRC = 17;
export const ATTRIBUTES = 21;
export const LAST_OFFSET_DELTA = 23;
export const BASE_TIMESTAMP = 27;
export const MAX_TIMESTAMP = 35;
export const PRODUCER_ID = 43;
export const PRODUCER_EPOCH = 51;
export const BASE_SEQUENCE = 53;
export const RECORDS_COUNT = 57;
export const RECORDS = 61;

/** Bytes before batchLength's own count begins: baseOffset (8) + batchLength (4). */
export const LOG_OVERHEAD = 12;
export const BATCH_HEADER_SIZE = RECORDS;
export const CURRENT_MAGIC = 2;

export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_MASK = 0x10;
export const CONTROL_MASK = 0x20;
