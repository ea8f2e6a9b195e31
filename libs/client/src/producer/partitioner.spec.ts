import { partitionForKey } from '@tributary/protocol';
import { Buffer } from 'buffer';
import { DefaultPartitioner, type PartitionArgs } from './partitioner';

const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const args = (over: Partial<PartitionArgs> = {}): PartitionArgs => ({
  topic: 't',
  key: null,
  partitionCount: 6,
  availablePartitions: all(6),
  ...over,
});

/** A deterministic source of "random" numbers, cycling through the given values. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('DefaultPartitioner', () => {
  it('puts keyed records where Kafka would: murmur2(key) % partitions', () => {
    const p = new DefaultPartitioner();
    for (const key of ['a', 'c-42', 'foobar', '', 'a-little-bit-long-string']) {
      const bytes = Buffer.from(key);
      expect(p.partition(args({ key: bytes, partitionCount: 7 }))).toBe(partitionForKey(bytes, 7));
    }
    // a keyed record ignores availability and stickiness: same key, same partition, always
    const bytes = Buffer.from('order-1');
    expect(p.partition(args({ key: bytes, availablePartitions: [] }))).toBe(partitionForKey(bytes, 6));
  });

  it('sticks to one partition for unkeyed records until its batch is closed', () => {
    const p = new DefaultPartitioner(sequence(0.5, 0.1));
    const first = p.partition(args());
    for (let i = 0; i < 20; i++) expect(p.partition(args())).toBe(first);
    const next = p.onNewBatch(args(), first);
    expect(next).not.toBe(first);
    for (let i = 0; i < 20; i++) expect(p.partition(args())).toBe(next);
  });

  it('never picks the closed partition again when there is another', () => {
    const p = new DefaultPartitioner();
    let current = p.partition(args({ partitionCount: 2, availablePartitions: all(2) }));
    for (let i = 0; i < 50; i++) {
      const next = p.onNewBatch(args({ partitionCount: 2, availablePartitions: all(2) }), current);
      expect(next).toBe(1 - current);
      current = next;
    }
  });

  it('spreads unkeyed records over all partitions as batches close', () => {
    const p = new DefaultPartitioner();
    const seen = new Set<number>();
    let current = p.partition(args());
    for (let i = 0; i < 200; i++) {
      current = p.onNewBatch(args(), current);
      seen.add(current);
    }
    expect([...seen].sort()).toEqual(all(6));
  });

  it('prefers partitions that have a leader', () => {
    const p = new DefaultPartitioner();
    let current = p.partition(args({ availablePartitions: [2, 4] }));
    expect([2, 4]).toContain(current);
    for (let i = 0; i < 20; i++) {
      current = p.onNewBatch(args({ availablePartitions: [2, 4] }), current);
      expect([2, 4]).toContain(current);
    }
  });

  it('a batch closing on another partition does not move the sticky one', () => {
    const p = new DefaultPartitioner(sequence(0));
    const sticky = p.partition(args());
    expect(p.onNewBatch(args(), (sticky + 1) % 6)).toBe(sticky);
  });

  it('keeps stickiness per topic and uses partition 0 of a one-partition topic', () => {
    const p = new DefaultPartitioner(sequence(0.9, 0.1));
    const a = p.partition(args({ topic: 'a' }));
    const b = p.partition(args({ topic: 'b' }));
    expect(a).not.toBe(b);
    expect(p.onNewBatch(args({ topic: 'one', partitionCount: 1, availablePartitions: [0] }), 0)).toBe(0);
  });
});
