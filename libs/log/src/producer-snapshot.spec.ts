import { Buffer } from 'buffer';
import * as fs from 'fs';
import { encodeRecordBatch, validateRecordBatches } from '@tributary/protocol';
import { PartitionLog } from './partition-log';
import { decodeSnapshot, encodeSnapshot, listSnapshots, snapshotFileName } from './producer-snapshot';
import { makeTempDir, removeDir } from './spec-support';

function idemBatch(pid: number, seq: number, count = 2): Buffer {
  const records = Array.from({ length: count }, (_, j) => ({ key: null, value: Buffer.from(`v${seq + j}`), timestamp: Date.now() }));
  return encodeRecordBatch(records, { producerId: pid, producerEpoch: 0, baseSequence: seq });
}

function append(log: PartitionLog, batch: Buffer) {
  return log.appendAsLeader(batch, validateRecordBatches(batch, 1 << 30), 0);
}

describe('producer state snapshots and rebuild', () => {
  let dir: string;

  beforeEach(() => {
    dir = makeTempDir();
  });

  afterEach(() => removeDir(dir));

  it('round-trips entries and rejects a snapshot whose checksum fails', () => {
    const entries = [
      { producerId: 2 ** 40, epoch: 3, lastTimestamp: 1_700_000_000_000, batches: [{ firstSeq: 0, lastSeq: 4, firstOffset: 10, lastOffset: 14 }] },
    ];
    const bytes = encodeSnapshot(entries);
    expect(decodeSnapshot(bytes)).toEqual(entries);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 1] ^= 0xff;
    expect(decodeSnapshot(flipped)).toBeNull();
    expect(decodeSnapshot(bytes.subarray(0, bytes.length - 3))).toBeNull();
  });

  it('writes a snapshot on clean close and on roll; a reopened log still answers a retry with the original offset', () => {
    let log = PartitionLog.open(dir, { segmentBytes: 400 });
    const firsts = [];
    for (let i = 0; i < 6; i++) firsts.push(append(log, idemBatch(1, i * 2)));
    expect(listSnapshots(dir).length).toBeGreaterThan(0); // rolled at least once
    log.close();
    expect(listSnapshots(dir)).toContain(log.logEndOffset);
    log = PartitionLog.open(dir, { segmentBytes: 400 });
    try {
      expect(append(log, idemBatch(1, 10))).toMatchObject({ baseOffset: firsts[5].baseOffset, duplicate: true });
    } finally {
      log.close();
    }
  });

  it('ignores a corrupt snapshot and rebuilds from an older one and the log', () => {
    let log = PartitionLog.open(dir, { segmentBytes: 400 });
    const results = [];
    for (let i = 0; i < 8; i++) results.push(append(log, idemBatch(1, i * 2)));
    const end = log.logEndOffset;
    log.close();
    fs.writeFileSync(snapshotFileName(dir, end), Buffer.from('not a snapshot at all'));
    log = PartitionLog.open(dir, { segmentBytes: 400 });
    try {
      expect(listSnapshots(dir)).not.toContain(end);
      expect(log.producerState(1)?.batches.at(-1)?.lastSeq).toBe(15);
      expect(append(log, idemBatch(1, 14))).toMatchObject({ baseOffset: results[7].baseOffset, duplicate: true });
    } finally {
      log.close();
    }
  });

  it('rebuilds from the log alone after a crash without any snapshot', () => {
    let log = PartitionLog.open(dir);
    const r = append(log, idemBatch(4, 0));
    append(log, idemBatch(4, 2));
    log.close();
    for (const offset of listSnapshots(dir)) fs.unlinkSync(snapshotFileName(dir, offset));
    log = PartitionLog.open(dir);
    try {
      expect(append(log, idemBatch(4, 0))).toMatchObject({ baseOffset: r.baseOffset, duplicate: true });
      expect(append(log, idemBatch(4, 4)).duplicate).toBeUndefined();
    } finally {
      log.close();
    }
  });

  it('a follower rebuilds the state from replicated batches, and truncation rolls it back', () => {
    const leader = PartitionLog.open(dir);
    const followerDir = makeTempDir();
    const follower = PartitionLog.open(followerDir);
    try {
      const a = append(leader, idemBatch(6, 0));
      const b = append(leader, idemBatch(6, 2));
      follower.appendAsFollower(leader.read(0, 1 << 20));
      expect(follower.producerState(6)?.batches.map((x) => x.firstOffset)).toEqual([a.baseOffset, b.baseOffset]);
      expect(append(follower, idemBatch(6, 2))).toMatchObject({ baseOffset: b.baseOffset, duplicate: true });
      follower.truncateTo(b.baseOffset);
      expect(follower.producerState(6)?.batches.at(-1)?.lastSeq).toBe(1);
      expect(append(follower, idemBatch(6, 2)).duplicate).toBeUndefined();
    } finally {
      leader.close();
      follower.close();
      removeDir(followerDir);
    }
  });
});
