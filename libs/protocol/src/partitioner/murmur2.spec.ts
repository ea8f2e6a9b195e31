import { murmur2, partitionForKey, toPositive } from './murmur2';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('murmur2 (Kafka Java client compatible)', () => {
  // Expected values from Kafka's own UtilsTest.testMurmur2.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %s like Kafka', (key, expected) => {
    expect(murmur2(bytes(key))).toBe(expected);
  });

  it('maps keys to Kafka partitions: toPositive(murmur2(key)) % n', () => {
    expect(partitionForKey(bytes('foobar'), 6)).toBe(toPositive(-790332482) % 6);
    expect(partitionForKey(bytes('21'), 4)).toBe((-973932308 & 0x7fffffff) % 4);
    expect(toPositive(-2147483648)).toBe(0);
  });
});
