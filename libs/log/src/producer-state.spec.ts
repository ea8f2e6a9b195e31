import { Buffer } from 'buffer';
import { ErrorCode, TributaryError, encodeRecordBatch, validateRecordBatches } from '@tributary/protocol';
import { PartitionLog } from './partition-log';
import { T0, makeTempDir, removeDir } from './spec-support';

/** `count` records of producer `pid` at `epoch`, starting at sequence `seq`, as the SDK encodes them. */
function idemBatch(pid: number, epoch: number, seq: number, count = 2, timestamp = Date.now()): Buffer {
  const records = Array.from({ length: count }, (_, j) => ({ key: null, value: Buffer.from(`p${pid}-e${epoch}-s${seq + j}`), timestamp }));
  return encodeRecordBatch(records, { producerId: pid, producerEpoch: epoch, baseSequence: seq });
}

function append(log: PartitionLog, ...batches: Buffer[]) {
  const data = Buffer.concat(batches);
  return log.appendAsLeader(data, validateRecordBatches(data, 1 << 30), 0);
}

function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof TributaryError) return err.code;
    throw err;
  }
  throw new Error('expected a TributaryError');
}

describe('idempotent producer: the leader sequence checks', () => {
  let dir: string;
  let log: PartitionLog;

  beforeEach(() => {
    dir = makeTempDir();
    log = PartitionLog.open(dir, { flushIntervalMs: 1000 });
  });

  afterEach(() => {
    log.close();
    removeDir(dir);
  });

  it('answers a retried batch with its original offsets and does not append it again', () => {
    const first = append(log, idemBatch(7, 0, 0));
    append(log, idemBatch(8, 0, 0, 3));
    const end = log.logEndOffset;
    const retry = append(log, idemBatch(7, 0, 0));
    expect(retry).toMatchObject({ baseOffset: first.baseOffset, lastOffset: first.lastOffset, duplicate: true });
    expect(log.logEndOffset).toBe(end);
  });

  it('recognises any of the last five batches as a duplicate, and no older one', () => {
    const offsets: number[] = [];
    for (let i = 0; i < 6; i++) offsets.push(append(log, idemBatch(1, 0, i * 2)).baseOffset);
    expect(append(log, idemBatch(1, 0, 2)).baseOffset).toBe(offsets[1]);
    expect(append(log, idemBatch(1, 0, 10)).baseOffset).toBe(offsets[5]);
    // the first batch fell out of the window: it is neither a duplicate nor next in sequence
    expect(codeOf(() => append(log, idemBatch(1, 0, 0)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('refuses a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER and appends nothing', () => {
    append(log, idemBatch(3, 0, 0));
    const end = log.logEndOffset;
    expect(codeOf(() => append(log, idemBatch(3, 0, 5)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(log.logEndOffset).toBe(end);
    expect(append(log, idemBatch(3, 0, 2)).duplicate).toBeUndefined();
  });

  it('refuses a stale epoch with INVALID_PRODUCER_EPOCH; a new epoch starts at sequence 0', () => {
    append(log, idemBatch(4, 0, 0));
    append(log, idemBatch(4, 1, 0));
    expect(codeOf(() => append(log, idemBatch(4, 0, 2)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(codeOf(() => append(log, idemBatch(4, 2, 7)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(append(log, idemBatch(4, 2, 0)).duplicate).toBeUndefined();
    expect(log.producerState(4)?.epoch).toBe(2);
  });

  it('refuses an unknown producer whose first batch is not at sequence 0 with UNKNOWN_PRODUCER_ID', () => {
    expect(codeOf(() => append(log, idemBatch(9, 0, 4)))).toBe(ErrorCode.UNKNOWN_PRODUCER_ID);
    expect(log.logEndOffset).toBe(0);
  });

  it('forgets an expired producer: its next batch is unknown', () => {
    const expiring = PartitionLog.open(makeTempDir(), { producerIdExpirationMs: 60_000 });
    try {
      append(expiring, idemBatch(5, 0, 0, 2, T0));
      append(expiring, idemBatch(6, 0, 0, 2, T0 + 50_000));
      expiring.applyRetention(T0 + 60_000);
      expect(expiring.producerState(5)).toBeUndefined();
      expect(expiring.producerState(6)).toBeDefined();
      expect(codeOf(() => append(expiring, idemBatch(5, 0, 2)))).toBe(ErrorCode.UNKNOWN_PRODUCER_ID);
    } finally {
      expiring.destroy();
    }
  });

  it('drops producers whose batches retention deleted', () => {
    const small = PartitionLog.open(makeTempDir(), { segmentBytes: 300, retentionBytes: 1 });
    try {
      append(small, idemBatch(10, 0, 0, 3));
      for (let i = 0; i < 4; i++) append(small, idemBatch(11, 0, i * 3, 3));
      expect(small.producerState(10)).toBeDefined();
      small.applyRetention(Date.now());
      expect(small.logStartOffset).toBeGreaterThan(2);
      expect(small.producerState(10)).toBeUndefined();
      expect(small.producerState(11)).toBeDefined();
    } finally {
      small.destroy();
    }
  });

  it('chains several batches of one producer in one request, and refuses a request mixing a retry with new batches', () => {
    const r = append(log, idemBatch(2, 0, 0), idemBatch(2, 0, 2), idemBatch(2, 0, 4));
    expect(r.lastOffset - r.baseOffset).toBe(5);
    expect(append(log, idemBatch(2, 0, 2), idemBatch(2, 0, 4))).toMatchObject({ baseOffset: r.baseOffset + 2, duplicate: true });
    expect(codeOf(() => append(log, idemBatch(2, 0, 4), idemBatch(2, 0, 6)))).toBe(ErrorCode.INVALID_RECORD);
  });

  it('refuses an idempotent batch with an id no initProducerId hands out, a negative epoch or no sequence, as INVALID_RECORD', () => {
    const bad = (pid: number, epoch: number, seq: number) =>
      encodeRecordBatch([{ key: null, value: Buffer.from('x'), timestamp: Date.now() }], { producerId: pid, producerEpoch: epoch, baseSequence: seq });
    expect(codeOf(() => append(log, bad(2 ** 62, 0, 0)))).toBe(ErrorCode.INVALID_RECORD);
    expect(codeOf(() => append(log, bad(5, -3, 0)))).toBe(ErrorCode.INVALID_RECORD);
    expect(codeOf(() => append(log, bad(5, 0, -1)))).toBe(ErrorCode.INVALID_RECORD);
    expect(log.logEndOffset).toBe(0);
  });

  it('leaves batches without a producer id unchecked', () => {
    const plain = encodeRecordBatch([{ key: null, value: Buffer.from('x'), timestamp: Date.now() }]);
    append(log, plain);
    expect(append(log, Buffer.from(plain)).duplicate).toBeUndefined();
    expect(log.producerCount).toBe(0);
  });
});
