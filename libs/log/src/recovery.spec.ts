import { Buffer } from 'buffer';
import * as fs from 'fs';
import * as path from 'path';
import { PartitionLog } from './partition-log';
import { T0, appendEach, concat, makeBatch, makeTempDir, removeDir, segmentFiles, segmentName, splitBatches, type WrittenBatch } from './spec-support';

describe('PartitionLog recovery of the active segment', () => {
  let dir: string;
  let written: WrittenBatch[];
  const logFile = () => path.join(dir, segmentName(0));

  beforeEach(() => {
    dir = makeTempDir();
    const log = PartitionLog.open(dir, { indexIntervalBytes: 64 });
    written = appendEach(
      log,
      [1, 3, 2, 4, 2].map((n, i) => makeBatch(n, T0 + i * 100, 30 + i)),
    );
    log.close();
  });
  afterEach(() => removeDir(dir));

  function expectRecoveredWithoutLast(log: PartitionLog): void {
    const kept = written.slice(0, -1);
    const lost = written[written.length - 1];
    expect(log.logEndOffset).toBe(lost.baseOffset);
    expect(log.recovery.truncatedBytes).toBeGreaterThan(0);
    expect(log.recovery.problem).not.toBeNull();
    expect(fs.statSync(logFile()).size).toBe(concat(kept).length);
    expect(Buffer.compare(log.read(0, 1 << 20), concat(kept))).toBe(0);
    for (const b of kept) {
      for (let o = b.baseOffset; o <= b.lastOffset; o++) expect(Buffer.compare(log.read(o, 1), b.bytes)).toBe(0);
    }
    expect(log.read(lost.baseOffset, 1 << 20).length).toBe(0);

    // Appends continue right where the surviving log ends, and survive another restart.
    const again = appendEach(log, [makeBatch(3, T0 + 900)]);
    expect(again[0].baseOffset).toBe(lost.baseOffset);
    expect(again[0].lastOffset).toBe(lost.baseOffset + 2);
    log.close();
    const reopened = PartitionLog.open(dir);
    expect(reopened.logEndOffset).toBe(lost.baseOffset + 3);
    expect(Buffer.compare(reopened.read(0, 1 << 20), Buffer.concat([concat(kept), again[0].bytes]))).toBe(0);
    reopened.close();
  }

  it('keeps a clean log byte for byte', () => {
    const log = PartitionLog.open(dir);
    expect(log.logEndOffset).toBe(12);
    expect(log.recovery).toEqual({ truncatedBytes: 0, problem: null });
    expect(Buffer.compare(log.read(0, 1 << 20), concat(written))).toBe(0);
    log.close();
  });

  it('drops a last batch whose bytes were corrupted (CRC mismatch)', () => {
    const fd = fs.openSync(logFile(), 'r+');
    const size = fs.fstatSync(fd).size;
    fs.writeSync(fd, Buffer.from([0xde, 0xad]), 0, 2, size - 2);
    fs.closeSync(fd);
    expectRecoveredWithoutLast(PartitionLog.open(dir));
  });

  it('drops a torn last batch (file cut in the middle of it)', () => {
    const last = written[written.length - 1];
    fs.truncateSync(logFile(), concat(written).length - Math.floor(last.bytes.length / 2));
    expectRecoveredWithoutLast(PartitionLog.open(dir));
  });

  it('drops a last batch torn inside its header', () => {
    fs.truncateSync(logFile(), concat(written.slice(0, -1)).length + 10);
    expectRecoveredWithoutLast(PartitionLog.open(dir));
  });

  it('drops zero-filled space after the last batch', () => {
    fs.appendFileSync(logFile(), Buffer.alloc(500));
    const log = PartitionLog.open(dir);
    expect(log.logEndOffset).toBe(12);
    expect(log.recovery.truncatedBytes).toBe(500);
    expect(fs.statSync(logFile()).size).toBe(concat(written).length);
    log.close();
  });

  it('recovers after a crash without close, rebuilding the indexes from the log', () => {
    const crashed = PartitionLog.open(dir, { flushIntervalMs: 0, indexIntervalBytes: 64 });
    const more = appendEach(crashed, [makeBatch(2, T0 + 600), makeBatch(5, T0 + 700)]);
    // No close: the crashed instance never wrote its indexes; cut the last batch as a crash would.
    fs.truncateSync(logFile(), concat(written).length + more[0].bytes.length + 7);
    fs.rmSync(path.join(dir, segmentName(0, '.index')));
    const log = PartitionLog.open(dir, { indexIntervalBytes: 64 });
    expect(log.logEndOffset).toBe(more[1].baseOffset);
    const all = [...written, more[0]];
    for (const b of all) expect(Buffer.compare(log.read(b.lastOffset, 1), b.bytes)).toBe(0);
    expect(fs.statSync(path.join(dir, segmentName(0, '.index'))).size).toBeGreaterThan(0);
    expect(log.offsetForTimestamp(T0 + 601)).toEqual({ offset: more[0].baseOffset, timestamp: T0 + 601 });
    log.close();
  });

  it('removes leftovers that are not data: temp files and orphan indexes', () => {
    fs.writeFileSync(path.join(dir, 'leader-epoch-checkpoint.tmp'), 'half');
    fs.writeFileSync(path.join(dir, segmentName(500, '.index')), Buffer.alloc(8));
    const log = PartitionLog.open(dir);
    expect(fs.existsSync(path.join(dir, 'leader-epoch-checkpoint.tmp'))).toBe(false);
    expect(fs.existsSync(path.join(dir, segmentName(500, '.index')))).toBe(false);
    expect(segmentFiles(dir)).toEqual([segmentName(0)]);
    expect(splitBatches(log.read(0, 1 << 20)).map((b) => b.baseOffset)).toEqual(written.map((b) => b.baseOffset));
    log.close();
  });
});
