import { Buffer } from 'buffer';
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCode } from '@tributary/protocol';
import { PartitionLog } from './partition-log';
import { ReadSink } from './read-sink';
import {
  T0,
  appendEach,
  appendLeader,
  concat,
  errorCode,
  makeBatch,
  makeTempDir,
  removeDir,
  segmentFiles,
  segmentName,
  splitBatches,
  type WrittenBatch,
} from './spec-support';

/** Record counts cycle 1..4; timestamps mostly rise but batch 7 and 21 are late arrivals. */
function workload(): Buffer[] {
  return Array.from({ length: 30 }, (_, i) => {
    const ts = i === 7 || i === 21 ? T0 + 5 : T0 + 1000 + i * 100;
    return makeBatch((i % 4) + 1, ts, 40 + (i % 3) * 25, `b${i}`);
  });
}

/** The batch holding `offset`, from the spec's own record of what it wrote. */
function holding(written: WrittenBatch[], offset: number): WrittenBatch {
  const b = written.find((w) => w.baseOffset <= offset && offset <= w.lastOffset);
  if (b === undefined) throw new Error(`no batch holds ${offset}`);
  return b;
}

describe('PartitionLog reads across segments', () => {
  let dir: string;
  let written: WrittenBatch[];
  let log: PartitionLog;
  const config = { segmentBytes: 700, indexIntervalBytes: 150 };

  beforeEach(() => {
    dir = makeTempDir();
    const first = PartitionLog.open(dir, config);
    written = appendEach(first, workload());
    first.close();
    log = PartitionLog.open(dir, config);
  });
  afterEach(() => {
    log.close();
    removeDir(dir);
  });

  it('rolled into several segments named by their first offset, in Kafka layout', () => {
    const logs = segmentFiles(dir);
    expect(logs.length).toBeGreaterThanOrEqual(5);
    // Each segment starts exactly at a batch boundary and holds at most segmentBytes (one batch here is < 700).
    let total = 0;
    for (const name of logs) {
      const base = Number(name.slice(0, 20));
      const bytes = fs.readFileSync(path.join(dir, name));
      const batches = splitBatches(bytes);
      expect(batches[0].baseOffset).toBe(base);
      expect(bytes.length).toBeLessThanOrEqual(700);
      total += bytes.length;
    }
    expect(total).toBe(concat(written).length);
    expect(log.sizeInBytes).toBe(total);
    expect(log.logStartOffset).toBe(0);
    expect(log.logEndOffset).toBe(written[written.length - 1].lastOffset + 1);
  });

  it('writes .index and .timeindex entries that point at real batches', () => {
    const closed = segmentFiles(dir).slice(0, -1);
    let indexEntries = 0;
    for (const name of closed) {
      const base = Number(name.slice(0, 20));
      const logBytes = fs.readFileSync(path.join(dir, name));
      const index = fs.readFileSync(path.join(dir, segmentName(base, '.index')));
      expect(index.length % 8).toBe(0);
      for (let at = 0; at < index.length; at += 8, indexEntries++) {
        const rel = index.readInt32BE(at);
        const pos = index.readInt32BE(at + 4);
        // Kafka's convention: the entry names the batch's last offset and where that batch starts.
        expect(splitBatches(logBytes.subarray(pos))[0].lastOffset).toBe(base + rel);
      }
      const time = fs.readFileSync(path.join(dir, segmentName(base, '.timeindex')));
      expect(time.length % 12).toBe(0);
      const inSegment = splitBatches(logBytes);
      const maxTs = Math.max(...inSegment.map((b) => Number(b.maxTimestamp)));
      // A closed segment's last entry is its largest timestamp, at the batch that holds it.
      expect(Number(time.readBigInt64BE(time.length - 12))).toBe(maxTs);
      expect(base + time.readInt32BE(time.length - 4)).toBe(inSegment.find((b) => b.maxTimestamp === maxTs)?.lastOffset);
    }
    expect(indexEntries).toBeGreaterThan(0);
  });

  it('reads every offset from 0: the batch holding it, byte for byte', () => {
    for (let o = 0; o < log.logEndOffset; o++) {
      expect(Buffer.compare(log.read(o, 1), holding(written, o).bytes)).toBe(0);
    }
    expect(log.read(log.logEndOffset, 1 << 20).length).toBe(0);
  });

  it('reads the whole log in one call, spanning every segment', () => {
    expect(Buffer.compare(log.read(0, 1 << 20), concat(written))).toBe(0);
    const mid = written[9];
    expect(Buffer.compare(log.read(mid.baseOffset + (mid.lastOffset > mid.baseOffset ? 1 : 0), 1 << 20), concat(written.slice(9)))).toBe(0);
  });

  it('respects maxBytes with whole batches, but always returns at least one', () => {
    const [a, b, c] = written.slice(4, 7);
    expect(Buffer.compare(log.read(a.baseOffset, 0), a.bytes)).toBe(0);
    expect(Buffer.compare(log.read(a.baseOffset, a.bytes.length - 1), a.bytes)).toBe(0);
    expect(Buffer.compare(log.read(a.baseOffset, a.bytes.length), a.bytes)).toBe(0);
    const two = a.bytes.length + b.bytes.length;
    expect(Buffer.compare(log.read(a.baseOffset, two), Buffer.concat([a.bytes, b.bytes]))).toBe(0);
    expect(Buffer.compare(log.read(a.baseOffset, two + c.bytes.length - 1), Buffer.concat([a.bytes, b.bytes]))).toBe(0);
  });

  it('never returns a batch that reaches maxOffsetExclusive (the high watermark)', () => {
    const [a, b, c] = written.slice(10, 13);
    expect(Buffer.compare(log.read(a.baseOffset, 1 << 20, c.baseOffset), Buffer.concat([a.bytes, b.bytes]))).toBe(0);
    // A high watermark inside a batch keeps that batch back too.
    expect(Buffer.compare(log.read(a.baseOffset, 1 << 20, c.lastOffset), Buffer.concat([a.bytes, b.bytes]))).toBe(0);
    expect(Buffer.compare(log.read(a.baseOffset, 1 << 20, c.lastOffset + 1), Buffer.concat([a.bytes, b.bytes, c.bytes]))).toBe(0);
    expect(log.read(c.baseOffset, 1 << 20, c.baseOffset).length).toBe(0);
    expect(log.read(c.lastOffset, 1 << 20, c.baseOffset).length).toBe(0);
    // A high watermark beyond the log end is capped at the log end.
    expect(Buffer.compare(log.read(0, 1 << 20, log.logEndOffset + 50), concat(written))).toBe(0);
  });

  it('reads into a sink the same batches as without one, after what the sink holds, growing it when needed', () => {
    const sizes = [0, 1, 90, 150, 400, 700, 1500, 1 << 20];
    const end = log.logEndOffset;
    for (let o = 0; o < end; o += 3) {
      for (const maxBytes of sizes) {
        for (const hw of [o + 1, o + 7, end]) {
          const expected = log.read(o, maxBytes, hw);
          // A sink already holding another read's bytes, sized so that most reads make it grow.
          const sink = new ReadSink(64, 2);
          const before = log.read(0, 1);
          before.copy(sink.reserve(before.length).buf, 0);
          sink.commit(before.length);
          const got = log.read(o, maxBytes, hw, sink);
          expect(Buffer.compare(got, expected)).toBe(0);
          expect(sink.length).toBe(before.length + expected.length);
          expect(Buffer.compare(sink.view(0, before.length), before)).toBe(0);
          expect(Buffer.compare(sink.view(before.length), expected)).toBe(0);
        }
      }
    }
  });

  it('answers OFFSET_OUT_OF_RANGE above the log end and below the log start', () => {
    expect(errorCode(() => log.read(log.logEndOffset + 1, 100))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(errorCode(() => log.read(-1, 100))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(errorCode(() => log.read(0, -1))).toBe(ErrorCode.INVALID_FETCH_SIZE);
  });

  it('finds offsets by timestamp, in old segments and the active one', () => {
    // Kafka's rule: the first batch (in offset order) whose maxTimestamp reaches the timestamp.
    const expected = (ts: number) => {
      const b = written.find((w) => w.maxTimestamp >= ts);
      return b === undefined ? null : { offset: b.baseOffset, timestamp: b.maxTimestamp };
    };
    const lastTs = Number(written[written.length - 1].maxTimestamp);
    const probes = [0, T0, T0 + 5, T0 + 6, T0 + 1000, T0 + 1001, T0 + 1150, T0 + 1700, T0 + 1703, T0 + 2500, lastTs, lastTs + 1];
    for (let ts = T0 + 900; ts <= lastTs + 2; ts += 37) probes.push(ts);
    for (const ts of probes) expect(log.offsetForTimestamp(ts)).toEqual(expected(ts));
    // Spot checks the model above could share a mistake with.
    expect(log.offsetForTimestamp(T0)).toEqual({ offset: 0, timestamp: T0 + 1000 });
    expect(log.offsetForTimestamp(T0 + 1101)).toEqual({ offset: written[1].baseOffset, timestamp: T0 + 1101 });
    expect(log.offsetForTimestamp(T0 + 1102)).toEqual({ offset: written[2].baseOffset, timestamp: T0 + 1202 });
    expect(log.offsetForTimestamp(lastTs + 1)).toBeNull();
  });

  it('keeps working while appending after the reopen', () => {
    const more = appendEach(log, [makeBatch(4, T0 + 9000, 300), makeBatch(1, T0 + 9100, 300)]);
    expect(more[0].baseOffset).toBe(written[written.length - 1].lastOffset + 1);
    const all = [...written, ...more];
    expect(Buffer.compare(log.read(0, 1 << 20), concat(all))).toBe(0);
    expect(log.offsetForTimestamp(T0 + 9050)).toEqual({ offset: more[1].baseOffset, timestamp: T0 + 9100 });
  });
});

describe('PartitionLog segment rolling', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => {
    jest.restoreAllMocks();
    removeDir(dir);
  });

  it('rolls before an append would exceed segmentBytes; an oversized append gets a segment to itself', () => {
    const b = makeBatch(1, T0, 100);
    const log = PartitionLog.open(dir, { segmentBytes: b.length * 2 });
    appendEach(log, [makeBatch(1, T0, 100), makeBatch(1, T0, 100), makeBatch(1, T0, 100)]);
    expect(segmentFiles(dir)).toEqual([segmentName(0), segmentName(2)]);
    const big = appendLeader(log, [makeBatch(1, T0, 100), makeBatch(1, T0, 100), makeBatch(1, T0, 100)]);
    expect(big.baseOffset).toBe(3);
    expect(segmentFiles(dir)).toEqual([segmentName(0), segmentName(2), segmentName(3)]);
    expect(fs.statSync(path.join(dir, segmentName(3))).size).toBe(b.length * 3);
    appendEach(log, [makeBatch(1, T0, 100)]);
    expect(segmentFiles(dir)).toEqual([segmentName(0), segmentName(2), segmentName(3), segmentName(6)]);
    log.close();
  });

  it('rolls when the first batch of the active segment was appended more than segmentMs ago', () => {
    const start = Date.now();
    let now = start;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const log = PartitionLog.open(dir, { segmentMs: 1000 });
    appendEach(log, [makeBatch(2, now)]);
    now = start + 1000;
    appendEach(log, [makeBatch(2, now)]);
    expect(segmentFiles(dir)).toEqual([segmentName(0)]);
    now = start + 1001;
    appendEach(log, [makeBatch(2, now)]);
    expect(segmentFiles(dir)).toEqual([segmentName(0), segmentName(4)]);
    now = start + 1500;
    appendEach(log, [makeBatch(2, now)]);
    expect(segmentFiles(dir)).toEqual([segmentName(0), segmentName(4)]);
    log.close();

    // After a restart the clock keeps counting from the first batch (its timestamp stands in for
    // its append time), not from the reopen.
    now = start + 1600;
    const early = PartitionLog.open(dir, { segmentMs: 1000 });
    appendEach(early, [makeBatch(1, now)]);
    expect(segmentFiles(dir)).toEqual([segmentName(0), segmentName(4)]);
    early.close();
    now = start + 2100;
    const reopened = PartitionLog.open(dir, { segmentMs: 1000 });
    appendEach(reopened, [makeBatch(1, now)]);
    expect(segmentFiles(dir)).toEqual([segmentName(0), segmentName(4), segmentName(9)]);
    expect(splitBatches(reopened.read(0, 1 << 20)).map((b) => b.baseOffset)).toEqual([0, 2, 4, 6, 8, 9]);
    reopened.close();
  });
});
