import { Buffer } from 'buffer';
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCode, assignBatchOffsets, validateRecordBatches } from '@tributary/protocol';
import { PartitionLog } from './partition-log';
import { T0, appendEach, concat, errorCode, errorOf, makeBatch, makeTempDir, removeDir, segmentFiles, segmentName, splitBatches } from './spec-support';

describe('PartitionLog.appendAsFollower', () => {
  let leaderDir: string;
  let followerDir: string;
  let leader: PartitionLog;
  let follower: PartitionLog;

  beforeEach(() => {
    leaderDir = makeTempDir();
    followerDir = makeTempDir();
    leader = PartitionLog.open(leaderDir);
    follower = PartitionLog.open(followerDir);
    appendEach(leader, [makeBatch(2, T0), makeBatch(3, T0 + 10)], 1);
    appendEach(leader, [makeBatch(1, T0 + 20), makeBatch(4, T0 + 30)], 3);
  });
  afterEach(() => {
    leader.destroy();
    follower.destroy();
  });

  it('copies the leader byte for byte and learns its epochs from the batches', () => {
    const first = follower.appendAsFollower(leader.read(0, 1));
    expect(first).toEqual({ baseOffset: 0, lastOffset: 1, maxTimestamp: T0 + 1 });
    const rest = follower.appendAsFollower(leader.read(2, 1 << 20));
    expect(rest).toEqual({ baseOffset: 2, lastOffset: 9, maxTimestamp: T0 + 33 });
    expect(follower.logEndOffset).toBe(10);
    expect(Buffer.compare(fs.readFileSync(path.join(followerDir, segmentName(0))), fs.readFileSync(path.join(leaderDir, segmentName(0))))).toBe(0);
    expect(follower.epochEntries()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 5 },
    ]);
  });

  it('rejects a gap with OFFSET_OUT_OF_RANGE, saying what it expected', () => {
    follower.appendAsFollower(leader.read(0, 1));
    const err = errorOf(() => follower.appendAsFollower(leader.read(5, 1 << 20)));
    expect(err.code).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(err.message).toContain('expected base offset 2, got 5');
    expect(follower.logEndOffset).toBe(2);
    expect(errorCode(() => follower.appendAsFollower(leader.read(0, 1)))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('rejects batches that are not contiguous among themselves, writing none of them', () => {
    const [a, , c] = splitBatches(leader.read(0, 1 << 20));
    const err = errorOf(() => follower.appendAsFollower(Buffer.concat([a.bytes, c.bytes])));
    expect(err.code).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(err.message).toContain('expected base offset 2, got 5');
    expect(follower.logEndOffset).toBe(0);
    expect(follower.sizeInBytes).toBe(0);
  });

  it('rejects a corrupt batch with CORRUPT_MESSAGE', () => {
    const data = Buffer.from(leader.read(0, 1));
    data[data.length - 1] ^= 0xff;
    expect(errorCode(() => follower.appendAsFollower(data))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(follower.logEndOffset).toBe(0);
  });
});

describe('PartitionLog.applyRetention', () => {
  let dir: string;
  let log: PartitionLog;
  const HOUR = 3_600_000;
  const batchBytes = makeBatch(2, T0, 100).length;
  /** One batch per segment: segment k holds offsets 2k, 2k+1 with timestamps T0 + k hours. */
  const config = { segmentBytes: batchBytes, retentionMs: 10 * HOUR };

  function fill(target: PartitionLog, count: number): void {
    for (let k = 0; k < count; k++) appendEach(target, [makeBatch(2, T0 + k * HOUR, 100)], k < 3 ? 0 : 4);
  }

  beforeEach(() => {
    dir = makeTempDir();
    log = PartitionLog.open(dir, config);
    fill(log, 6);
  });
  afterEach(() => log.destroy());

  it('deletes closed segments older than retentionMs, moving the log start, which survives reopen', () => {
    expect(segmentFiles(dir).length).toBe(6);
    // now - retentionMs lands between segment 2 (T0+2h) and 3 (T0+3h): segments 0..2 go.
    const deleted = log.applyRetention(T0 + 12 * HOUR + 30 * 60_000);
    expect(deleted).toBe(3);
    expect(log.logStartOffset).toBe(6);
    expect(segmentFiles(dir)).toEqual([6, 8, 10].map((b) => segmentName(b)));
    expect(segmentFiles(dir, '.index')).toEqual([6, 8, 10].map((b) => segmentName(b, '.index')));
    expect(errorCode(() => log.read(5, 1 << 20))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(splitBatches(log.read(6, 1 << 20)).map((b) => b.baseOffset)).toEqual([6, 8, 10]);
    expect(log.offsetForTimestamp(0)).toEqual({ offset: 6, timestamp: T0 + 3 * HOUR + 1 });
    // The epoch in force at the new start stays, moved to start there.
    expect(log.epochEntries()).toEqual([{ epoch: 4, startOffset: 6 }]);

    log.close();
    log = PartitionLog.open(dir, config);
    expect(log.logStartOffset).toBe(6);
    expect(log.logEndOffset).toBe(12);
    expect(errorCode(() => log.read(4, 1))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(log.epochEntries()).toEqual([{ epoch: 4, startOffset: 6 }]);
  });

  it('never deletes the active segment, however old', () => {
    expect(log.applyRetention(T0 + 1000 * HOUR)).toBe(5);
    expect(segmentFiles(dir)).toEqual([segmentName(10)]);
    expect(log.logStartOffset).toBe(10);
    expect(log.applyRetention(T0 + 1000 * HOUR)).toBe(0);
    expect(log.read(10, 1 << 20).length).toBe(batchBytes);
  });

  it('keeps everything when nothing is old enough, or retention is off', () => {
    expect(log.applyRetention(T0 + 5 * HOUR)).toBe(0);
    log.close();
    log = PartitionLog.open(dir, { ...config, retentionMs: -1 });
    expect(log.applyRetention(T0 + 1000 * HOUR)).toBe(0);
    expect(log.logStartOffset).toBe(0);
  });

  it('deletes oldest closed segments while the log is larger than retentionBytes', () => {
    log.close();
    log = PartitionLog.open(dir, { ...config, retentionMs: -1, retentionBytes: batchBytes * 2 + 1 });
    expect(log.sizeInBytes).toBe(6 * batchBytes);
    expect(log.applyRetention(T0)).toBe(4);
    expect(log.sizeInBytes).toBe(2 * batchBytes);
    expect(log.logStartOffset).toBe(8);
    expect(segmentFiles(dir)).toEqual([segmentName(8), segmentName(10)]);
  });

  it('finishes a retention deletion that a crash interrupted after the checkpoint moved', () => {
    log.close();
    fs.writeFileSync(path.join(dir, 'log-start-offset-checkpoint'), '0\n1\n4\n');
    log = PartitionLog.open(dir, config);
    expect(log.logStartOffset).toBe(4);
    expect(segmentFiles(dir)).toEqual([4, 6, 8, 10].map((b) => segmentName(b)));
    expect(splitBatches(log.read(4, 1 << 20)).map((b) => b.baseOffset)).toEqual([4, 6, 8, 10]);
  });

  it('a follower below the leader log start restarts its log there', () => {
    log.applyRetention(T0 + 12 * HOUR + 30 * 60_000);
    const followerDir = makeTempDir();
    const follower = PartitionLog.open(followerDir);
    try {
      expect(errorCode(() => follower.appendAsFollower(log.read(log.logStartOffset, 1 << 20)))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
      follower.truncateFullyAndStartAt(log.logStartOffset);
      follower.appendAsFollower(log.read(log.logStartOffset, 1 << 20));
      expect(follower.logStartOffset).toBe(6);
      expect(follower.logEndOffset).toBe(12);
      expect(Buffer.compare(follower.read(6, 1 << 20), log.read(6, 1 << 20))).toBe(0);
      expect(segmentFiles(followerDir)).toEqual([segmentName(6)]);
    } finally {
      follower.destroy();
    }
    expect(fs.existsSync(followerDir)).toBe(false);
  });
});

describe('PartitionLog leader append contract', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => removeDir(dir));

  it('assigns contiguous offsets to several batches in one append, in place, and reports them', () => {
    const log = PartitionLog.open(dir);
    appendEach(log, [makeBatch(2, T0)], 0);
    const a = makeBatch(3, T0 + 50);
    const b = makeBatch(1, T0 + 10);
    assignBatchOffsets(a, 0, 777, 9); // whatever the producer sent is overwritten
    const data = Buffer.concat([a, b]);
    const result = log.appendAsLeader(data, validateRecordBatches(data, 1 << 20), 2);
    expect(result).toEqual({ baseOffset: 2, lastOffset: 5, maxTimestamp: T0 + 52 });
    expect(splitBatches(data).map((x) => [x.baseOffset, x.bytes.readInt32BE(12)])).toEqual([
      [2, 2],
      [5, 2],
    ]);
    expect(Buffer.compare(log.read(2, 1 << 20), data)).toBe(0);
    expect(concat(splitBatches(log.read(0, 1 << 20))).length).toBe(log.sizeInBytes);
    log.close();
  });
});
