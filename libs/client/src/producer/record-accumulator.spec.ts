import { Buffer } from 'buffer';
import type { RecordData } from '@tributary/protocol';
import { decodeRecordBatch } from '@tributary/protocol';
import { BATCH_OVERHEAD, estimateRecordSize } from './producer-batch';
import { RecordAccumulator } from './record-accumulator';

const rec = (value: string, key: string | null = null): RecordData => ({
  key: key === null ? null : Buffer.from(key),
  value: Buffer.from(value),
  headers: {},
  timestamp: 1_700_000_000_000,
});

describe('RecordAccumulator', () => {
  it('holds a batch for lingerMs, then reports it ready', () => {
    const acc = new RecordAccumulator({ batchSize: 16384, lingerMs: 10 });
    acc.append('t', 0, rec('a'), 1000);
    acc.append('t', 0, rec('b'), 1004);
    expect(acc.ready(1005)).toEqual([]);
    expect(acc.nextReadyDelay(1005)).toBe(5);
    const [batch] = acc.ready(1010);
    expect(batch.records.map((r) => r.value?.toString())).toEqual(['a', 'b']);
    expect(batch.closed).toBe(true);
  });

  it('appends to the open batch and reports each record index', () => {
    const acc = new RecordAccumulator({ batchSize: 16384, lingerMs: 5 });
    const a = acc.append('t', 0, rec('a'), 0);
    const b = acc.append('t', 0, rec('b'), 0);
    const c = acc.append('t', 1, rec('c'), 0);
    expect(b.batch).toBe(a.batch);
    expect([a.index, b.index, c.index]).toEqual([0, 1, 0]);
    expect(c.batch).not.toBe(a.batch);
  });

  it('closes a batch at batchSize: it is ready at once and the next record starts a new one', () => {
    const size = estimateRecordSize(rec('x'.repeat(100)));
    const acc = new RecordAccumulator({ batchSize: BATCH_OVERHEAD + 3 * size, lingerMs: 1_000_000 });
    const placements = Array.from({ length: 7 }, () => acc.append('t', 0, rec('x'.repeat(100)), 0));
    const batches = [...new Set(placements.map((p) => p.batch))];
    expect(batches.map((b) => b.records.length)).toEqual([3, 3, 1]);
    // only the head may go: one batch in flight per partition
    const ready = acc.ready(0);
    expect(ready).toEqual([batches[0]]);
    for (const b of batches) expect(b.encoded().length).toBeLessThanOrEqual(BATCH_OVERHEAD + 3 * size);
  });

  it('gives an oversized record a batch of its own', () => {
    const acc = new RecordAccumulator({ batchSize: 100, lingerMs: 1000 });
    const a = acc.append('t', 0, rec('small'), 0);
    const big = acc.append('t', 0, rec('y'.repeat(500)), 0);
    const after = acc.append('t', 0, rec('after'), 0);
    expect(big.batch).not.toBe(a.batch);
    expect(big.batch.records).toHaveLength(1);
    expect(after.batch).not.toBe(big.batch);
  });

  it('sends one batch per partition at a time and keeps a retried batch at the head', () => {
    const acc = new RecordAccumulator({ batchSize: 16384, lingerMs: 0 });
    const first = acc.append('t', 0, rec('1'), 0).batch;
    expect(acc.ready(0)).toEqual([first]);
    first.inFlight = true;
    const second = acc.append('t', 0, rec('2'), 0).batch;
    expect(second).not.toBe(first);
    expect(acc.ready(10)).toEqual([]);
    // the first failed retriably: it waits out its backoff and still goes before the second
    first.inFlight = false;
    first.attempts = 1;
    first.retryAt = 50;
    expect(acc.ready(20)).toEqual([]);
    expect(acc.nextReadyDelay(20)).toBe(30);
    expect(acc.ready(50)).toEqual([first]);
    acc.remove(first);
    expect(acc.ready(50)).toEqual([second]);
  });

  it('closeAll makes every batch ready regardless of linger (flush)', () => {
    const acc = new RecordAccumulator({ batchSize: 16384, lingerMs: 60_000 });
    acc.append('a', 0, rec('1'), 0);
    acc.append('b', 3, rec('2'), 0);
    expect(acc.ready(1)).toHaveLength(0);
    expect(acc.closeAll()).toHaveLength(2);
    expect(acc.ready(1)).toHaveLength(2);
    expect(acc.wouldStartNewBatch('a', 0, 10)).toBe(true);
  });

  it('encodes a batch once, so a retry resends the same bytes', () => {
    const acc = new RecordAccumulator({ batchSize: 16384, lingerMs: 0 });
    const { batch } = acc.append('t', 0, rec('v', 'k'), 0);
    const bytes = batch.encoded();
    expect(batch.encoded()).toBe(bytes);
    const decoded = decodeRecordBatch(bytes).records;
    expect(decoded.map((r) => [r.key?.toString(), r.value?.toString()])).toEqual([['k', 'v']]);
  });
});
