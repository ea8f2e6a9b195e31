import { Buffer } from 'buffer';
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCode } from '@tributary/protocol';
import { PartitionLog } from './partition-log';
import { T0, appendEach, concat, errorCode, makeBatch, makeTempDir, removeDir, segmentFiles, segmentName, type WrittenBatch } from './spec-support';

describe('PartitionLog truncation and the leader-epoch cache', () => {
  let dir: string;
  let log: PartitionLog;
  let written: WrittenBatch[];
  // Two batches per segment, so truncations land both inside segments and on their edges.
  const config = { segmentBytes: Math.floor(makeBatch(3, T0, 60, 'e0').length * 2.5), indexIntervalBytes: 100 };

  /** Ten batches of 3 records (offsets 10k..10k+2): epoch 0 for batches 0-3, epoch 2 for 4-6, epoch 5 for 7-9. */
  beforeEach(() => {
    dir = makeTempDir();
    log = PartitionLog.open(dir, config);
    const epochs = [0, 0, 0, 0, 2, 2, 2, 5, 5, 5];
    written = epochs.flatMap((epoch, i) => appendEach(log, [makeBatch(3, T0 + i * 10, 60, `e${epoch}`)], epoch));
  });
  afterEach(() => {
    log.close();
    removeDir(dir);
  });

  function reopen(): void {
    log.close();
    log = PartitionLog.open(dir, config);
  }

  it('stamps offsets and leader epochs into the batches and records each new epoch once', () => {
    expect(written.map((b) => b.baseOffset)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
    expect(written.map((b) => b.bytes.readInt32BE(12))).toEqual([0, 0, 0, 0, 2, 2, 2, 5, 5, 5]);
    expect(log.epochEntries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 12 },
      { epoch: 5, startOffset: 21 },
    ]);
    expect(log.latestEpoch()).toBe(5);
    // Kafka's checkpoint text format, so Kafka tooling could read it.
    expect(fs.readFileSync(path.join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n3\n0 0\n2 12\n5 21\n');
    reopen();
    expect(log.epochEntries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 12 },
      { epoch: 5, startOffset: 21 },
    ]);
  });

  it('answers endOffsetForEpoch like Kafka', () => {
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 12 });
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 0, endOffset: 12 });
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 21 });
    expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 2, endOffset: 21 });
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 5, endOffset: 30 });
    expect(log.endOffsetForEpoch(6)).toEqual({ epoch: -1, endOffset: -1 });
    expect(log.endOffsetForEpoch(-1)).toEqual({ epoch: -1, endOffset: -1 });
  });

  it('refuses a leader append under an epoch older than the latest', () => {
    expect(errorCode(() => appendEach(log, [makeBatch(1, T0)], 4))).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(log.logEndOffset).toBe(30);
  });

  it('truncates inside the active segment, to the start of the batch holding the offset', () => {
    const active = Number(segmentFiles(dir).slice(-1)[0].slice(0, 20));
    const target = written.find((b) => b.baseOffset > active) as WrittenBatch;
    log.truncateTo(target.baseOffset + 1);
    expect(log.logEndOffset).toBe(target.baseOffset);
    const kept = written.filter((b) => b.lastOffset < target.baseOffset);
    expect(Buffer.compare(log.read(0, 1 << 20), concat(kept))).toBe(0);
    expect(errorCode(() => log.read(target.baseOffset + 1, 100))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);

    const again = appendEach(log, [makeBatch(2, T0 + 500)], 7);
    expect(again[0].baseOffset).toBe(target.baseOffset);
    reopen();
    expect(log.logEndOffset).toBe(target.baseOffset + 2);
    expect(Buffer.compare(log.read(0, 1 << 20), concat([...kept, ...again]))).toBe(0);
    expect(log.epochEntries().slice(-1)).toEqual([{ epoch: 7, startOffset: target.baseOffset }]);
  });

  it('truncates across segments, deleting later ones, and the epoch cache follows', () => {
    expect(segmentFiles(dir).length).toBeGreaterThanOrEqual(4);
    log.truncateTo(13); // inside batch 12..14, epoch 2's first batch
    expect(log.logEndOffset).toBe(12);
    const remaining = segmentFiles(dir).map((n) => Number(n.slice(0, 20)));
    expect(Math.max(...remaining)).toBeLessThanOrEqual(12);
    expect(segmentFiles(dir, '.index').length).toBe(remaining.length);
    expect(log.epochEntries()).toEqual([{ epoch: 0, startOffset: 0 }]);
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 12 });
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: -1, endOffset: -1 });
    expect(log.offsetForTimestamp(T0 + 35)).toBeNull();
    expect(log.offsetForTimestamp(T0 + 30)).toEqual({ offset: 9, timestamp: T0 + 32 });

    const again = appendEach(log, [makeBatch(1, T0 + 800), makeBatch(2, T0 + 900)], 6);
    reopen();
    expect(log.logEndOffset).toBe(15);
    expect(Buffer.compare(log.read(0, 1 << 20), concat([...written.slice(0, 4), ...again]))).toBe(0);
    for (let o = 0; o < 15; o++) expect(log.read(o, 1).readBigInt64BE(0)).toBe(BigInt(o < 12 ? o - (o % 3) : o === 12 ? 12 : 13));
    expect(log.epochEntries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 6, startOffset: 12 },
    ]);
    expect(log.offsetForTimestamp(T0 + 850)).toEqual({ offset: 13, timestamp: T0 + 901 });
  });

  it('truncates into the middle of a closed segment, which becomes the active one', () => {
    log.truncateTo(10); // segment 6 holds batches 6..8 and 9..11
    expect(log.logEndOffset).toBe(9);
    expect(segmentFiles(dir)).toEqual([segmentName(0), segmentName(6)]);
    expect(log.offsetForTimestamp(T0 + 21)).toEqual({ offset: 6, timestamp: T0 + 22 });
    expect(log.offsetForTimestamp(T0 + 23)).toBeNull();
    const again = appendEach(log, [makeBatch(2, T0 + 700)], 5);
    expect(again[0].baseOffset).toBe(9);
    reopen();
    expect(Buffer.compare(log.read(0, 1 << 20), concat([...written.slice(0, 3), ...again]))).toBe(0);
    expect(log.offsetForTimestamp(T0 + 23)).toEqual({ offset: 9, timestamp: T0 + 701 });
    expect(log.epochEntries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 5, startOffset: 9 },
    ]);
  });

  it('truncating to a segment base empties that segment and keeps it active', () => {
    const bases = segmentFiles(dir).map((n) => Number(n.slice(0, 20)));
    const base = bases[2];
    log.truncateTo(base);
    expect(log.logEndOffset).toBe(base);
    expect(segmentFiles(dir)).toEqual(bases.slice(0, 3).map((b) => segmentName(b)));
    expect(fs.statSync(path.join(dir, segmentName(base))).size).toBe(0);
    appendEach(log, [makeBatch(1, T0)], 5);
    reopen();
    expect(log.logEndOffset).toBe(base + 1);
  });

  it('truncating at or beyond the log end changes nothing', () => {
    log.truncateTo(30);
    log.truncateTo(99);
    expect(log.logEndOffset).toBe(30);
    expect(Buffer.compare(log.read(0, 1 << 20), concat(written))).toBe(0);
  });

  it('truncating to 0 empties the log and the epoch cache', () => {
    log.truncateTo(0);
    expect(log.logEndOffset).toBe(0);
    expect(log.sizeInBytes).toBe(0);
    expect(log.epochEntries()).toEqual([]);
    expect(log.latestEpoch()).toBe(-1);
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: -1, endOffset: -1 });
    expect(segmentFiles(dir)).toEqual([segmentName(0)]);
    reopen();
    expect(log.logEndOffset).toBe(0);
    expect(log.epochEntries()).toEqual([]);
  });

  it('a crash between log truncation and the epoch checkpoint is repaired on open', () => {
    const checkpoint = path.join(dir, 'leader-epoch-checkpoint');
    const before = fs.readFileSync(checkpoint);
    log.truncateTo(15);
    fs.writeFileSync(checkpoint, before); // as if the cache write never happened
    reopen();
    expect(log.logEndOffset).toBe(15);
    expect(log.epochEntries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 12 },
    ]);
  });
});

describe('epoch start recorded by a new leader before it appends', () => {
  it('answers where an older epoch ended even while the new epoch holds no records', () => {
    const dir = makeTempDir();
    try {
      const log = PartitionLog.open(dir);
      appendEach(log, [makeBatch(3, T0), makeBatch(2, T0 + 1)], 3); // epoch 3: offsets 0..4
      expect(log.endOffsetForEpoch(4)).toEqual({ epoch: -1, endOffset: -1 }); // epoch 4 unknown here
      log.assignEpochStart(5); // this replica now leads epoch 5, nothing appended yet
      expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 3, endOffset: 5 });
      expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 5 });
      log.assignEpochStart(5); // idempotent
      log.assignEpochStart(2); // older: ignored
      expect(log.epochEntries()).toEqual([
        { epoch: 3, startOffset: 0 },
        { epoch: 5, startOffset: 5 },
      ]);
      log.close();
      // Like Kafka's recovery, a reopened log forgets an epoch that never got a record (a
      // restarted broker claims a fresh epoch anyway).
      const reopened = PartitionLog.open(dir);
      expect(reopened.epochEntries()).toEqual([{ epoch: 3, startOffset: 0 }]);
      reopened.close();
    } finally {
      removeDir(dir);
    }
  });
});
