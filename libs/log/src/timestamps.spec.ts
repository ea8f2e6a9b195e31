import { Buffer } from 'buffer';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { encodeRecordBatch, ErrorCode, toTimestamp, type Timestamp, type TributaryError } from '@tributary/protocol';
import { PartitionLog } from './partition-log';
import { appendLeader, errorCode, makeBatch, makeTempDir, removeDir, segmentFiles, segmentName, T0 } from './spec-support';
import { TimeIndex } from './time-index';

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const EDGES = [INT64_MIN, -SAFE - 1n, -1n, 0n, SAFE - 1n, SAFE, SAFE + 1n, INT64_MAX - 1n, INT64_MAX];

/** A batch whose records carry exactly these timestamps, as a buggy or hostile producer could send. */
const batchAt = (...stamps: Timestamp[]) => encodeRecordBatch(stamps.map((timestamp, i) => ({ key: null, value: Buffer.alloc(400, 97 + i), timestamp })));

describe('exact int64 timestamps in the log', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => removeDir(dir));

  it('property: the time index keeps any increasing int64 timestamps exactly across persist and load', () => {
    const stamps = fc.uniqueArray(fc.oneof(fc.constantFrom(...EDGES), fc.bigInt(INT64_MIN, INT64_MAX)), { minLength: 1, maxLength: 40 });
    let run = 0;
    fc.assert(
      fc.property(stamps, (raw) => {
        const sorted = [...raw].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const file = path.join(dir, `${run++}.timeindex`);
        const index = new TimeIndex(file, 1000);
        sorted.forEach((t, i) => index.maybeAppend(toTimestamp(t), 1000 + i * 3));
        index.persist(true);
        index.close();
        const raw8 = fs.readFileSync(file);
        expect(Array.from({ length: sorted.length }, (_, i) => raw8.readBigInt64BE(i * 12))).toEqual(sorted);

        const loaded = new TimeIndex(file, 1000);
        expect(loaded.load(1000 + sorted.length * 3)).toBe(true);
        expect(loaded.entries).toBe(sorted.length);
        expect(loaded.lastTimestamp()).toBe(toTimestamp(sorted[sorted.length - 1]));
        expect(loaded.readLastEntry()).toEqual({ timestamp: toTimestamp(sorted[sorted.length - 1]), offset: 1000 + (sorted.length - 1) * 3 });
        // lookup is exact at every entry and just below it (no rounding merges neighbours)
        sorted.forEach((t, i) => {
          expect(loaded.lookup(toTimestamp(t))).toBe(1000 + i * 3);
          if (i > 0 && t - 1n > sorted[i - 1]) expect(loaded.lookup(toTimestamp(t - 1n))).toBe(1000 + (i - 1) * 3);
        });
        loaded.close();
      }),
      { numRuns: 200 },
    );
  });

  it('a log holding maxTimestamp 2^63-1 (planted past validation) rolls, reopens, answers time lookups exactly and survives retention', () => {
    const opts = { segmentBytes: 600, retentionMs: 1000, flushIntervalMs: 0 };
    let log = PartitionLog.open(dir, opts);
    const poison = toTimestamp(INT64_MAX);
    const big = toTimestamp(SAFE + 1n);
    for (const b of [batchAt(T0), batchAt(big), batchAt(poison), batchAt(T0 + 5), batchAt(T0 + 6)]) appendLeader(log, [b], 1);
    expect(segmentFiles(dir).length).toBeGreaterThan(2); // the poison sits in a closed segment
    log.close();

    log = PartitionLog.open(dir, opts);
    expect(log.offsetForTimestamp(T0 + 1)).toEqual({ offset: 1, timestamp: big });
    expect(log.offsetForTimestamp(SAFE + 2n)).toEqual({ offset: 2, timestamp: poison });
    expect(log.offsetForTimestamp(poison)).toEqual({ offset: 2, timestamp: poison });
    // Retention: the first segment (T0, long past) goes; the ones holding far-future stamps stay, nothing throws.
    expect(() => log.applyRetention(T0 + 10_000_000)).not.toThrow();
    expect(log.logStartOffset).toBe(1);
    expect(log.failed).toBeNull();
    appendLeader(log, [makeBatch(1, T0 + 7)], 1);
    log.close();
    // The closed segment's last .timeindex entry holds 2^63-1 bit for bit.
    const t = fs.readFileSync(path.join(dir, segmentName(2, '.timeindex')));
    expect(t.readBigInt64BE(t.length - 12)).toBe(INT64_MAX);
  });

  it('a closed segment whose last time-index entry lies outside the segment is refused at open (KAFKA_STORAGE_ERROR)', () => {
    const log = PartitionLog.open(dir, { segmentBytes: 600 });
    for (let i = 0; i < 4; i++) appendLeader(log, [batchAt(T0 + i)], 1);
    log.close();
    const file = path.join(dir, segmentName(0, '.timeindex'));
    const bad = Buffer.alloc(12);
    bad.writeBigInt64BE(BigInt(T0), 0);
    bad.writeInt32BE(5000, 8); // offset 5000 in a segment of one or two batches
    fs.writeFileSync(file, bad);
    expect(errorCode(() => PartitionLog.open(dir, { segmentBytes: 600 }))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
  });

  it('reports a storage error met during a read to its owner once, and refuses appends afterwards', () => {
    let log = PartitionLog.open(dir, { segmentBytes: 600 });
    for (let i = 0; i < 4; i++) appendLeader(log, [batchAt(T0 + i)], 1);
    log.close();
    // Garbage over a closed segment's batches: found only when a read reaches it.
    const first = path.join(dir, segmentName(0));
    fs.writeFileSync(first, Buffer.alloc(fs.statSync(first).size, 0xff));
    log = PartitionLog.open(dir, { segmentBytes: 600 });
    const seen: TributaryError[] = [];
    log.onFailure((err) => seen.push(err));
    expect(errorCode(() => log.read(0, 1 << 20))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(seen).toHaveLength(1);
    expect(log.failed?.type).toBe('KAFKA_STORAGE_ERROR');
    expect(errorCode(() => appendLeader(log, [batchAt(T0 + 9)], 1))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(errorCode(() => log.applyRetention(T0))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(seen).toHaveLength(1);
    log.close();
  });
});

describe('segments without timestamps (-1)', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => removeDir(dir));

  it('roll, reopen and retain by file age, with no time-index entry pointing outside a segment', () => {
    const opts = { segmentBytes: 600, indexIntervalBytes: 0 };
    let log = PartitionLog.open(dir, opts);
    for (let i = 0; i < 6; i++) appendLeader(log, [batchAt(-1, -1)], 1);
    log.close();
    for (const f of segmentFiles(dir, '.timeindex')) expect(fs.statSync(path.join(dir, f)).size).toBe(0);
    log = PartitionLog.open(dir, opts);
    expect(log.offsetForTimestamp(0)).toBeNull();
    expect(log.applyRetention(Date.now())).toBe(0); // files are fresh: nothing expires
    expect(log.read(0, 1 << 20).length).toBeGreaterThan(0);
    log.close();
  });
});
