import * as fs from 'fs';
import { DEFAULT_MAX_OPEN_SEGMENT_FILES, openSegmentFiles, setMaxOpenSegmentFiles } from './open-segment-files';
import { PartitionLog } from './partition-log';
import { appendEach, concat, makeBatch, makeTempDir, removeDir, T0, type WrittenBatch } from './spec-support';

const openFds = () => fs.readdirSync('/proc/self/fd').length;

describe('the process-wide bound on open segment files', () => {
  let dirs: string[] = [];
  afterEach(() => {
    setMaxOpenSegmentFiles(DEFAULT_MAX_OPEN_SEGMENT_FILES);
    for (const d of dirs) removeDir(d);
    dirs = [];
  });

  it('keeps at most the bound open across 30 logs with several segments each, and every log still reads and writes exactly', () => {
    setMaxOpenSegmentFiles(4);
    const before = openFds();
    const logs: PartitionLog[] = [];
    const written: WrittenBatch[][] = [];
    for (let i = 0; i < 30; i++) {
      const dir = makeTempDir();
      dirs.push(dir);
      const log = PartitionLog.open(dir, { segmentBytes: 400, flushIntervalMs: 0 });
      logs.push(log);
      written.push(appendEach(log, [makeBatch(2, T0 + i, 60), makeBatch(3, T0 + i + 10, 60), makeBatch(1, T0 + i + 20, 60)], 1));
      expect(openSegmentFiles.size).toBeLessThanOrEqual(4);
    }
    // Interleaved appends and reads: every log reopens its files as needed.
    for (let round = 0; round < 3; round++) {
      logs.forEach((log, i) => {
        written[i].push(...appendEach(log, [makeBatch(2, T0 + 100 + round, 60)], 1));
        expect(log.read(0, 1 << 20).equals(concat(written[i]))).toBe(true);
        expect(log.offsetForTimestamp(T0 + i + 10)?.offset).toBe(2);
      });
    }
    expect(openSegmentFiles.size).toBeLessThanOrEqual(4);
    // Index files are opened only to be written: nothing beyond the bound stays open.
    expect(openFds() - before).toBeLessThanOrEqual(4);
    for (const log of logs) log.close();
    expect(openSegmentFiles.size).toBe(0);

    // Reopened, the logs hold exactly what was written.
    logs.forEach((_, i) => {
      const again = PartitionLog.open(dirs[i], { segmentBytes: 400 });
      expect(again.read(0, 1 << 20).equals(concat(written[i]))).toBe(true);
      again.close();
    });
  });

  it('a background flush pins its descriptor: eviction skips it, and the flush completes', async () => {
    setMaxOpenSegmentFiles(1);
    const a = makeTempDir();
    const b = makeTempDir();
    dirs.push(a, b);
    const logA = PartitionLog.open(a, { flushIntervalMs: 5 });
    const logB = PartitionLog.open(b, { flushIntervalMs: 5 });
    for (let i = 0; i < 40; i++) {
      appendEach(logA, [makeBatch(1, T0 + i)], 1);
      appendEach(logB, [makeBatch(1, T0 + i)], 1);
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(logA.failed).toBeNull();
    expect(logB.failed).toBeNull();
    expect(logA.logEndOffset).toBe(40);
    logA.close();
    logB.close();
  });

  it('refuses a bound below 1', () => {
    expect(() => setMaxOpenSegmentFiles(0)).toThrow(RangeError);
  });
});
