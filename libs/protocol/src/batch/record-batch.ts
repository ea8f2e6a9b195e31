import { Buffer } from 'buffer';
import { TributaryError } from '../errors';
import { ByteReader } from './byte-reader';
import { ByteWriter, varintSize, varlongBigSize, varlongSize } from './byte-writer';
import { crc32c } from './crc32c';
import * as L from './layout';
import type { BatchHeader, DecodedRecord, RecordData } from './record';
import { checkCreateTime, type TimestampRule } from './batch-timestamps';
import { addTimestamps, maxTimestamp as laterOf, readTimestamp, subtractTimestamps, toInt64, type Timestamp } from './timestamp';

export interface EncodeOptions {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** sets the LogAppendTime attribute bit (a broker stamps it; clients do not) */
  logAppendTime?: boolean;
}

const EMPTY_HEADERS: Record<string, Buffer> = {};
const textEncoder = new TextEncoder();

/**
 * Encodes records as one uncompressed RecordBatch v2, byte for byte as Kafka's producer does.
 * Every record's size is worked out first, so the batch is written once into a buffer of its
 * exact size: a producer encodes megabytes per request, and growing a buffer (or encoding each
 * record apart and copying it in) copied every byte two or three times more.
 */
export function encodeRecordBatch(records: readonly RecordData[], options: EncodeOptions = {}): Buffer {
  if (records.length === 0) throw TributaryError.of('INVALID_RECORD', 'a record batch needs at least one record');
  const baseTimestamp = records[0].timestamp;
  let maxTimestamp: Timestamp = baseTimestamp;
  let size = L.RECORDS;
  const bodySizes = new Array<number>(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    maxTimestamp = laterOf(maxTimestamp, r.timestamp);
    const body = recordBodySize(r, i, subtractTimestamps(r.timestamp, baseTimestamp));
    bodySizes[i] = body;
    size += varintSize(body) + body;
  }

  const w = new ByteWriter(size);
  w.int64(options.baseOffset ?? 0);
  const lengthAt = w.reserve(4);
  w.int32(options.partitionLeaderEpoch ?? -1);
  w.int8(L.CURRENT_MAGIC);
  const crcAt = w.reserve(4);
  w.int16(options.logAppendTime ? L.TIMESTAMP_TYPE_MASK : 0); // no compression, not transactional
  w.int32(records.length - 1);
  w.int64(toInt64(baseTimestamp));
  w.int64(toInt64(maxTimestamp));
  w.int64(options.producerId ?? -1);
  w.int16(options.producerEpoch ?? -1);
  w.int32(options.baseSequence ?? -1);
  w.int32(records.length);

  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    w.varint(bodySizes[i]);
    const bodyStart = w.length;
    w.int8(0);
    const delta = subtractTimestamps(r.timestamp, baseTimestamp);
    if (typeof delta === 'number') w.varlong(delta);
    else w.varlongBig(toInt64(delta));
    w.varint(i);
    writeNullableBytes(w, r.key);
    writeNullableBytes(w, r.value);
    const headers = r.headers ?? EMPTY_HEADERS;
    const keys = Object.keys(headers);
    w.varint(keys.length);
    for (const k of keys) {
      const kb = textEncoder.encode(k);
      w.varint(kb.length).bytes(kb);
      writeNullableBytes(w, headers[k] ?? null);
    }
    // Only a record changed since it was measured (a getter, another task) can get here; its
    // length prefix would no longer match its bytes.
    if (w.length - bodyStart !== bodySizes[i]) {
      throw TributaryError.of('INVALID_RECORD', `record ${i} changed while its batch was encoded (${w.length - bodyStart} bytes, ${bodySizes[i]} measured)`);
    }
  }

  const out = w.result();
  w.patchInt32(lengthAt, out.length - L.LOG_OVERHEAD);
  w.patchUInt32(crcAt, crc32c(out, L.ATTRIBUTES));
  return out;
}

/** The bytes of one record after its length prefix, as encodeRecordBatch writes them. */
function recordBodySize(r: RecordData, index: number, timestampDelta: Timestamp): number {
  let size = 1; // attributes
  size += typeof timestampDelta === 'number' ? varlongSize(timestampDelta) : varlongBigSize(toInt64(timestampDelta));
  size += varintSize(index);
  size += nullableBytesSize(r.key) + nullableBytesSize(r.value);
  const headers = r.headers ?? EMPTY_HEADERS;
  const keys = Object.keys(headers);
  size += varintSize(keys.length);
  for (const k of keys) {
    const keyLength = textEncoder.encode(k).length;
    size += varintSize(keyLength) + keyLength + nullableBytesSize(headers[k] ?? null);
  }
  return size;
}

function nullableBytesSize(data: Uint8Array | null): number {
  return data === null ? varintSize(-1) : varintSize(data.length) + data.length;
}

function writeNullableBytes(w: ByteWriter, data: Uint8Array | null): void {
  if (data === null) w.varint(-1);
  else w.varint(data.length).bytes(data);
}

/** Reads a batch header at `pos`, checking only that the header itself is there. */
export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  if (buf.length - pos < L.BATCH_HEADER_SIZE) {
    throw TributaryError.of('CORRUPT_MESSAGE', `record batch header needs ${L.BATCH_HEADER_SIZE} bytes, got ${buf.length - pos}`);
  }
  const baseOffset = Number(buf.readBigInt64BE(pos + L.BASE_OFFSET));
  const batchLength = buf.readInt32BE(pos + L.BATCH_LENGTH);
  const lastOffsetDelta = buf.readInt32BE(pos + L.LAST_OFFSET_DELTA);
  return {
    baseOffset,
    batchLength,
    partitionLeaderEpoch: buf.readInt32BE(pos + L.PARTITION_LEADER_EPOCH),
    magic: buf.readInt8(pos + L.MAGIC),
    crc: buf.readUInt32BE(pos + L.CRC),
    attributes: buf.readInt16BE(pos + L.ATTRIBUTES),
    lastOffsetDelta,
    baseTimestamp: readTimestamp(buf, pos + L.BASE_TIMESTAMP),
    maxTimestamp: readTimestamp(buf, pos + L.MAX_TIMESTAMP),
    producerId: Number(buf.readBigInt64BE(pos + L.PRODUCER_ID)),
    producerEpoch: buf.readInt16BE(pos + L.PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + L.BASE_SEQUENCE),
    recordCount: buf.readInt32BE(pos + L.RECORDS_COUNT),
    sizeInBytes: batchLength + L.LOG_OVERHEAD,
    lastOffset: baseOffset + lastOffsetDelta,
  };
}

/** Whether the CRC stored in the batch at `pos` matches its bytes. */
export function batchCrcMatches(buf: Buffer, pos: number, header: BatchHeader): boolean {
  return crc32c(buf, pos + L.ATTRIBUTES, pos + header.sizeInBytes) === header.crc;
}

/** Assigns the batch its place in the log, in place; both fields lie outside the CRC. */
export function assignBatchOffsets(buf: Buffer, pos: number, baseOffset: number, partitionLeaderEpoch: number): void {
  buf.writeBigInt64BE(BigInt(baseOffset), pos + L.BASE_OFFSET);
  buf.writeInt32BE(partitionLeaderEpoch, pos + L.PARTITION_LEADER_EPOCH);
}

/** Decodes every record of the batch at `pos`. */
export function decodeRecordBatch(buf: Buffer, pos = 0): { header: BatchHeader; records: DecodedRecord[] } {
  const header = readBatchHeader(buf, pos);
  checkHeaderShape(buf, pos, header);
  const records: DecodedRecord[] = [];
  const r = new ByteReader(buf, pos + L.RECORDS, pos + header.sizeInBytes);
  for (let i = 0; i < header.recordCount; i++) records.push(readRecord(r, header));
  return { header, records };
}

function readRecord(r: ByteReader, header: BatchHeader): DecodedRecord {
  const length = r.varint();
  if (length < 0 || length > r.remaining) throw TributaryError.of('CORRUPT_MESSAGE', `record length ${length} is out of bounds`);
  const end = r.pos + length;
  r.int8(); // record attributes: unused in v2
  const delta = r.varlongExact();
  // Under LogAppendTime every record's time is the broker's stamp, as Kafka's consumers read it.
  const timestamp = (header.attributes & L.TIMESTAMP_TYPE_MASK) !== 0 ? header.maxTimestamp : addTimestamps(header.baseTimestamp, delta);
  const offset = header.baseOffset + r.varint();
  const key = readNullableBytes(r);
  const value = readNullableBytes(r);
  const headerCount = r.varint();
  if (headerCount < 0) throw TributaryError.of('CORRUPT_MESSAGE', `negative header count ${headerCount}`);
  const headers: Record<string, Buffer> = {};
  for (let h = 0; h < headerCount; h++) {
    const keyLength = r.varint();
    if (keyLength < 0) throw TributaryError.of('CORRUPT_MESSAGE', 'null header key');
    const k = r.bytes(keyLength).toString('utf8');
    const v = readNullableBytes(r);
    // defineProperty, not assignment: a header named __proto__ must stay data, not replace the object's prototype.
    Object.defineProperty(headers, k, { value: v ?? Buffer.alloc(0), enumerable: true, writable: true, configurable: true });
  }
  if (r.pos !== end) throw TributaryError.of('CORRUPT_MESSAGE', `record ended at ${r.pos}, its length said ${end}`);
  return { offset, timestamp, key, value, headers };
}

/**
 * Walks one record's framing as readRecord would, allocating nothing: the broker checks every
 * record of every produce this way, and decoding them into objects only to drop them was the
 * largest source of garbage on the produce path.
 */
function checkRecord(r: ByteReader, index: number): number | bigint {
  const length = r.varint();
  if (length < 0 || length > r.remaining) throw TributaryError.of('CORRUPT_MESSAGE', `record length ${length} is out of bounds`);
  const end = r.pos + length;
  r.int8();
  const timestampDelta = r.varlongExact();
  const offsetDelta = r.varint();
  if (offsetDelta !== index) throw TributaryError.of('INVALID_RECORD', `record ${index} has offset delta ${offsetDelta}`);
  skipNullableBytes(r);
  skipNullableBytes(r);
  const headerCount = r.varint();
  if (headerCount < 0) throw TributaryError.of('CORRUPT_MESSAGE', `negative header count ${headerCount}`);
  for (let h = 0; h < headerCount; h++) {
    const keyLength = r.varint();
    if (keyLength < 0) throw TributaryError.of('CORRUPT_MESSAGE', 'null header key');
    r.skip(keyLength);
    skipNullableBytes(r);
  }
  if (r.pos !== end) throw TributaryError.of('CORRUPT_MESSAGE', `record ended at ${r.pos}, its length said ${end}`);
  return timestampDelta;
}

function skipNullableBytes(r: ByteReader): void {
  const n = r.varint();
  if (n < -1) throw TributaryError.of('CORRUPT_MESSAGE', `negative length ${n}`);
  if (n > 0) r.skip(n);
}

function readNullableBytes(r: ByteReader): Buffer | null {
  const n = r.varint();
  if (n === -1) return null;
  if (n < -1) throw TributaryError.of('CORRUPT_MESSAGE', `negative length ${n}`);
  return r.bytes(n);
}

function checkHeaderShape(buf: Buffer, pos: number, header: BatchHeader): void {
  if (header.magic !== L.CURRENT_MAGIC) {
    throw TributaryError.of('CORRUPT_MESSAGE', `record batch magic ${header.magic} is not supported (only 2)`);
  }
  if (header.batchLength < L.BATCH_HEADER_SIZE - L.LOG_OVERHEAD || pos + header.sizeInBytes > buf.length) {
    throw TributaryError.of('CORRUPT_MESSAGE', `record batch length ${header.batchLength} does not fit the ${buf.length - pos} bytes given`);
  }
}

/**
 * Walks a buffer of batches back to back and checks each one completely, as a broker must
 * before anything reaches its log: whole header, magic 2, CRC, no compression, record count
 * equal to lastOffsetDelta + 1, every record well-formed and ending exactly at the batch end.
 * With a `timestamps` rule, every record timestamp (and the batch's max) must also be in its
 * range and consistent, else INVALID_TIMESTAMP. Returns the headers, so the caller does not
 * parse twice.
 */
export function validateRecordBatches(buf: Buffer, maxBatchBytes: number, timestamps?: TimestampRule): BatchHeader[] {
  const headers: BatchHeader[] = [];
  let pos = 0;
  if (buf.length === 0) throw TributaryError.of('CORRUPT_MESSAGE', 'no record batch in the request');
  while (pos < buf.length) {
    const header = readBatchHeader(buf, pos);
    checkHeaderShape(buf, pos, header);
    if (header.sizeInBytes > maxBatchBytes) {
      throw TributaryError.of('MESSAGE_TOO_LARGE', `record batch of ${header.sizeInBytes} bytes exceeds max.message.bytes ${maxBatchBytes}`);
    }
    if (!batchCrcMatches(buf, pos, header)) throw TributaryError.of('CORRUPT_MESSAGE', 'record batch CRC mismatch');
    if ((header.attributes & L.COMPRESSION_MASK) !== 0) {
      throw TributaryError.of('UNSUPPORTED_COMPRESSION_TYPE', `compression codec ${header.attributes & L.COMPRESSION_MASK} is not supported`);
    }
    if ((header.attributes & (L.TRANSACTIONAL_MASK | L.CONTROL_MASK)) !== 0) {
      throw TributaryError.of('INVALID_RECORD', 'transactional and control batches are not supported');
    }
    if (header.recordCount < 1 || header.recordCount !== header.lastOffsetDelta + 1) {
      throw TributaryError.of('INVALID_RECORD', `record count ${header.recordCount} does not match lastOffsetDelta ${header.lastOffsetDelta}`);
    }
    const r = new ByteReader(buf, pos + L.RECORDS, pos + header.sizeInBytes);
    if (timestamps === undefined || timestamps.logAppendTime) {
      for (let i = 0; i < header.recordCount; i++) checkRecord(r, i);
    } else {
      checkCreateTime(header.baseTimestamp, timestamps, 'base timestamp');
      // The base is now -1 or a safe integer, so base + delta in plain numbers decides the check
      // exactly: a sum that rounds lies beyond 2^53, above any bound. Exact sums only for errors.
      const base = header.baseTimestamp as number;
      const { min, max } = timestamps;
      let latest: Timestamp = -Infinity;
      for (let i = 0; i < header.recordCount; i++) {
        const delta = checkRecord(r, i);
        const t = typeof delta === 'number' ? base + delta : addTimestamps(base, delta);
        if (t !== -1 && (t < min || t > max)) checkCreateTime(addTimestamps(base, delta), timestamps, `record ${i}'s timestamp`);
        if (t > latest) latest = t;
      }
      // Canonical forms (a bigint only beyond 2^53) make !== exact here.
      if (header.maxTimestamp !== latest) {
        throw TributaryError.of('INVALID_TIMESTAMP', `batch maxTimestamp ${header.maxTimestamp} is not its records' largest timestamp ${latest}`);
      }
    }
    if (r.remaining !== 0) throw TributaryError.of('CORRUPT_MESSAGE', `${r.remaining} stray bytes after the last record`);
    headers.push(header);
    pos += header.sizeInBytes;
  }
  return headers;
}

/**
 * What a consumer makes of a partition's fetched bytes (batches back to back): the records
 * from `fromOffset` on, in offset order. Every batch it decodes must pass its CRC first
 * (Kafka's check.crcs, on by default), else CORRUPT_MESSAGE (retriable: the fetch is made
 * again); batches wholly before `fromOffset` (a fetch returns whole batches, so the first
 * may start before the position) are skipped unread. A partial batch at the end, as a broker
 * may send at its byte limit, is left out.
 */
export function decodeFetchedRecords(buf: Buffer, fromOffset: number): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  let pos = 0;
  while (buf.length - pos >= L.BATCH_HEADER_SIZE) {
    const header = readBatchHeader(buf, pos);
    if (pos + header.sizeInBytes > buf.length) break;
    checkHeaderShape(buf, pos, header);
    if (header.lastOffset >= fromOffset) {
      if (!batchCrcMatches(buf, pos, header)) {
        throw TributaryError.of('CORRUPT_MESSAGE', `record batch at offset ${header.baseOffset} failed its CRC`);
      }
      const r = new ByteReader(buf, pos + L.RECORDS, pos + header.sizeInBytes);
      for (let i = 0; i < header.recordCount; i++) {
        const record = readRecord(r, header);
        if (record.offset >= fromOffset) out.push(record);
      }
    }
    pos += header.sizeInBytes;
  }
  return out;
}

/**
 * Decodes the records of a fetch response (batches back to back). A broker may end a fetch
 * with a partial batch when it hits maxBytes, as Kafka does; that tail is skipped.
 */
export function decodeRecordBatches(buf: Buffer): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  let pos = 0;
  while (buf.length - pos >= L.BATCH_HEADER_SIZE) {
    const size = buf.readInt32BE(pos + L.BATCH_LENGTH) + L.LOG_OVERHEAD;
    if (pos + size > buf.length) break;
    const { records } = decodeRecordBatch(buf, pos);
    for (const rec of records) out.push(rec);
    pos += size;
  }
  return out;
}
