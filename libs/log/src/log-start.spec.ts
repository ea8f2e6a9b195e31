import { ErrorCode } from '@tributary/protocol';
import { PartitionLog } from './partition-log';
import { T0, appendEach, errorCode, makeBatch, makeTempDir, segmentFiles, segmentName, splitBatches } from './spec-support';

const HOUR = 3_600_000;
const batchBytes = makeBatch(2, T0, 100).length;

describe('PartitionLog.advanceLogStart (deleteRecords, and a follower following its leader)', () => {
  let dir: string;
  let log: PartitionLog;

  beforeEach(() => {
    dir = makeTempDir();
    // one batch of two records per segment: segment k holds offsets 2k and 2k+1
    log = PartitionLog.open(dir, { segmentBytes: batchBytes });
    for (let k = 0; k < 5; k++) appendEach(log, [makeBatch(2, T0 + k, 100)], k < 2 ? 0 : 3);
  });
  afterEach(() => log.destroy());

  it('moves the start inside a segment, deletes only the segments wholly below it, and survives reopen', () => {
    expect(log.advanceLogStart(5)).toBe(2);
    expect(log.logStartOffset).toBe(5);
    expect(segmentFiles(dir)).toEqual([4, 6, 8].map((b) => segmentName(b)));
    expect(errorCode(() => log.read(4, 1 << 20))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    // reads at the start return whole batches, the one holding it first (as Kafka does)
    expect(splitBatches(log.read(5, 1 << 20)).map((b) => b.baseOffset)).toEqual([4, 6, 8]);
    expect(log.epochEntries()).toEqual([{ epoch: 3, startOffset: 5 }]);
    log.close();
    log = PartitionLog.open(dir, { segmentBytes: batchBytes });
    expect(log.logStartOffset).toBe(5);
    expect(errorCode(() => log.read(4, 1))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('never moves backwards, keeps the active segment at the log end, and refuses an offset past the end', () => {
    log.advanceLogStart(4);
    expect(log.advanceLogStart(2)).toBe(0);
    expect(log.logStartOffset).toBe(4);
    expect(errorCode(() => log.advanceLogStart(11))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(log.advanceLogStart(10)).toBe(2);
    expect(log.logStartOffset).toBe(10);
    expect(segmentFiles(dir)).toEqual([segmentName(8)]);
    expect(log.logEndOffset).toBe(10);
  });
});

describe('PartitionLog.updateConfig (alterConfigs on an open log)', () => {
  let dir: string;
  let log: PartitionLog;

  beforeEach(() => {
    dir = makeTempDir();
    log = PartitionLog.open(dir, {});
  });
  afterEach(() => log.destroy());

  it('a smaller segment.bytes rolls at the next append, and a shorter retention.ms applies at the next sweep', () => {
    for (let k = 0; k < 3; k++) appendEach(log, [makeBatch(2, T0 + k * HOUR, 100)]);
    expect(segmentFiles(dir)).toHaveLength(1);
    log.updateConfig({ segmentBytes: batchBytes });
    for (let k = 3; k < 6; k++) appendEach(log, [makeBatch(2, T0 + k * HOUR, 100)]);
    expect(segmentFiles(dir)).toEqual([0, 6, 8, 10].map((b) => segmentName(b)));
    expect(log.applyRetention(T0 + 10 * HOUR)).toBe(0);
    log.updateConfig({ retentionMs: HOUR });
    expect(log.applyRetention(T0 + 5 * HOUR + 30 * 60_000)).toBe(3);
    expect(log.logStartOffset).toBe(10);
  });

  it('refuses a value the log cannot honour and keeps the old config', () => {
    expect(errorCode(() => log.updateConfig({ segmentBytes: 0 }))).toBe(ErrorCode.INVALID_CONFIG);
    expect(log.currentConfig.segmentBytes).toBeGreaterThan(0);
  });
});
