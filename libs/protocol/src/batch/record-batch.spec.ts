import { Buffer } from 'buffer';
import { ErrorCode, TributaryError } from '../errors';
import { crc32c } from './crc32c';
import * as L from './layout';
import {
  assignBatchOffsets,
  decodeFetchedRecords,
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  readBatchHeader,
  validateRecordBatches,
} from './record-batch';

const rec = (key: string | null, value: string | null, timestamp = 1_700_000_000_000) => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  timestamp,
});

function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof TributaryError) return e.code;
    throw e;
  }
  return ErrorCode.NONE;
}

describe('crc32c', () => {
  it('matches the standard check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });
});

describe('RecordBatch v2 codec', () => {
  it('lays out the header at Kafka positions', () => {
    const b = encodeRecordBatch([rec('k', 'v', 1000), rec(null, 'w', 1005)]);
    expect(b.readBigInt64BE(0)).toBe(0n);
    expect(b.readInt32BE(L.BATCH_LENGTH)).toBe(b.length - 12);
    expect(b.readInt8(L.MAGIC)).toBe(2);
    expect(b.readUInt32BE(L.CRC)).toBe(crc32c(b, L.ATTRIBUTES));
    expect(b.readInt32BE(L.LAST_OFFSET_DELTA)).toBe(1);
    expect(Number(b.readBigInt64BE(L.BASE_TIMESTAMP))).toBe(1000);
    expect(Number(b.readBigInt64BE(L.MAX_TIMESTAMP))).toBe(1005);
    expect(Number(b.readBigInt64BE(L.PRODUCER_ID))).toBe(-1);
    expect(b.readInt32BE(L.RECORDS_COUNT)).toBe(2);
    // First record: length 8 (zig-zag 16), attributes 0, tsDelta 0, offsetDelta 0,
    // key len 1 (zig-zag 2) 'k', value len 1 'v', 0 headers; the second record is 7 bytes (zig-zag 14).
    expect([...b.subarray(L.RECORDS, L.RECORDS + 10)]).toEqual([16, 0, 0, 0, 2, 0x6b, 2, 0x76, 0, 14]);
  });

  it('round-trips keys, values, nulls and headers', () => {
    const records = [
      { ...rec('a', 'x'), headers: { trace: Buffer.from('t1'), empty: Buffer.alloc(0) } },
      rec(null, null, 1_700_000_000_001),
      rec('c', 'z'.repeat(1000), 1_699_000_000_000),
    ];
    const { header, records: out } = decodeRecordBatch(encodeRecordBatch(records));
    expect(header.recordCount).toBe(3);
    expect(out.map((r) => r.key?.toString() ?? null)).toEqual(['a', null, 'c']);
    expect(out.map((r) => r.value?.toString() ?? null)).toEqual(['x', null, 'z'.repeat(1000)]);
    expect(out[0].headers.trace.toString()).toBe('t1');
    expect(out.map((r) => r.timestamp)).toEqual([1_700_000_000_000, 1_700_000_000_001, 1_699_000_000_000]);
    expect(out.map((r) => r.offset)).toEqual([0, 1, 2]);
  });

  it('sizes every varint exactly: 64-bit timestamp deltas, multi-byte UTF-8 header keys, many records', () => {
    const records = [
      { ...rec('k', 'v'), timestamp: 0 },
      { ...rec(null, 'w'), timestamp: 2n ** 62n + 1n, headers: { 'clé-ü-日本': Buffer.from('h') } },
      ...Array.from({ length: 200 }, (_, i) => rec(null, 'x'.repeat(i * 7), 1_700_000_000_000 + i * 100_000)),
    ];
    const b = encodeRecordBatch(records);
    const [header] = validateRecordBatches(b, 1 << 24);
    expect(header.sizeInBytes).toBe(b.length);
    const out = decodeRecordBatch(b).records;
    expect(out.map((r) => r.timestamp).slice(0, 2)).toEqual([0, 2n ** 62n + 1n]);
    expect(out[1].headers['clé-ü-日本'].toString()).toBe('h');
    expect(out[201].value?.length).toBe(199 * 7);
  });

  it('refuses records that change while their batch is encoded, even when the total size stays the same', () => {
    // measured at 10 then 20 bytes, written at 20 then 10: the batch's size matches its plan, each record's does not
    const shifty = (sizes: number[]) => {
      let reads = 0;
      return {
        key: null,
        get value() {
          return Buffer.alloc(sizes[reads++ === 0 ? 0 : 1]);
        },
        timestamp: 1,
      };
    };
    expect(codeOf(() => encodeRecordBatch([shifty([10, 20])]))).toBe(ErrorCode.INVALID_RECORD);
    expect(codeOf(() => encodeRecordBatch([shifty([10, 20]), shifty([20, 10])]))).toBe(ErrorCode.INVALID_RECORD);
  });

  it('assigns offsets in place without breaking the CRC', () => {
    const b = encodeRecordBatch([rec('a', '1'), rec('b', '2')]);
    assignBatchOffsets(b, 0, 4242, 7);
    const headers = validateRecordBatches(b, 1 << 20);
    expect(headers[0].baseOffset).toBe(4242);
    expect(headers[0].partitionLeaderEpoch).toBe(7);
    expect(headers[0].lastOffset).toBe(4243);
    expect(decodeRecordBatches(b).map((r) => r.offset)).toEqual([4242, 4243]);
  });

  it('rejects corrupt, truncated, oversized and compressed batches with codes', () => {
    const good = encodeRecordBatch([rec('a', 'hello')]);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 2] ^= 0xff;
    expect(codeOf(() => validateRecordBatches(flipped, 1 << 20))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => validateRecordBatches(good.subarray(0, good.length - 3), 1 << 20))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => validateRecordBatches(good.subarray(0, 20), 1 << 20))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => validateRecordBatches(good, 10))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    const gz = Buffer.from(good);
    gz.writeInt16BE(1, L.ATTRIBUTES);
    gz.writeUInt32BE(crc32c(gz, L.ATTRIBUTES), L.CRC);
    expect(codeOf(() => validateRecordBatches(gz, 1 << 20))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect(codeOf(() => validateRecordBatches(Buffer.alloc(0), 1 << 20))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(validateRecordBatches(Buffer.concat([good, good]), 1 << 20)).toHaveLength(2);
  });

  it("checks every record's framing even when the CRC is right", () => {
    const recrc = (b: Buffer) => {
      b.writeUInt32BE(crc32c(b, L.ATTRIBUTES), L.CRC);
      return b;
    };
    const good = encodeRecordBatch([rec('a', 'x'), rec('b', 'y')]);
    const badDelta = Buffer.from(good);
    badDelta[L.RECORDS + 3] = 4; // first record's offsetDelta: zig-zag 4 = 2, should be 0
    expect(codeOf(() => validateRecordBatches(recrc(badDelta), 1 << 20))).toBe(ErrorCode.INVALID_RECORD);
    const badLength = Buffer.from(good);
    badLength[L.RECORDS] = 100; // first record claims 50 bytes
    expect(codeOf(() => validateRecordBatches(recrc(badLength), 1 << 20))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const badKey = Buffer.from(good);
    badKey[L.RECORDS + 4] = 3; // key length -2
    expect(codeOf(() => validateRecordBatches(recrc(badKey), 1 << 20))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('skips a partial trailing batch when decoding a fetch', () => {
    const a = encodeRecordBatch([rec('a', '1')]);
    const b = encodeRecordBatch([rec('b', '2')], { baseOffset: 1 });
    const both = Buffer.concat([a, b]);
    expect(decodeRecordBatches(both.subarray(0, both.length - 5)).map((r) => r.offset)).toEqual([0]);
    expect(readBatchHeader(both, a.length).baseOffset).toBe(1);
  });

  it('decodes fetched records from the position on, checking the CRC of every batch it decodes', () => {
    const a = encodeRecordBatch([rec('a', '1'), rec('b', '2')], { baseOffset: 10 });
    const b = encodeRecordBatch([rec('c', '3'), rec('d', '4')], { baseOffset: 12 });
    const both = Buffer.concat([a, b]);
    expect(decodeFetchedRecords(both, 10).map((r) => r.offset)).toEqual([10, 11, 12, 13]);
    expect(decodeFetchedRecords(both, 11).map((r) => r.offset)).toEqual([11, 12, 13]);
    expect(decodeFetchedRecords(both, 13).map((r) => r.value?.toString())).toEqual(['4']);
    expect(decodeFetchedRecords(both.subarray(0, both.length - 5), 10).map((r) => r.offset)).toEqual([10, 11]);
    // One flipped value byte fails the CRC, though the batch still parses.
    const flipped = Buffer.from(both);
    flipped[both.length - 2] ^= 0x01;
    expect(codeOf(() => decodeFetchedRecords(flipped, 10))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(decodeRecordBatches(flipped)).toHaveLength(4);
    // A corrupt batch wholly before the position is skipped, not decoded.
    expect(decodeFetchedRecords(flipped.subarray(0, a.length), 12)).toEqual([]);
    const firstFlipped = Buffer.from(both);
    firstFlipped[a.length - 2] ^= 0x01;
    expect(decodeFetchedRecords(firstFlipped, 12).map((r) => r.offset)).toEqual([12, 13]);
  });
});
