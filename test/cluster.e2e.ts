import { Tributary, type ConsumedMessage } from '@tributary/client';
import { TestCluster } from './support/test-cluster';
import { waitFor } from './support/free-port';

/**
 * The foundation end to end: three real broker processes and a private Redis; a client that
 * knows ONE broker's address creates a topic, produces 20,000 keyed records, and reads every
 * partition back from offset 0.
 */
jest.setTimeout(180_000);

describe('three-broker cluster, end to end', () => {
  let cluster: TestCluster;
  let client: Tributary;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 3 });
    client = new Tributary({ brokers: [cluster.brokers[1].url] });
  });

  afterAll(async () => {
    await client?.disconnect().catch(() => undefined);
    await cluster?.stop();
  });

  // Kafka's own murmur2 test vectors (UtilsTest.testMurmur2), turned into partitions the way
  // its DefaultPartitioner does: toPositive(hash) % partitions. Computed from Kafka's numbers,
  // not from our murmur2, so this checks compatibility rather than self-consistency.
  const KAFKA_HASHES: Record<string, number> = {
    '21': -973932308,
    foobar: -790332482,
    'a-little-bit-long-string': -985981536,
    'a-little-bit-longer-string': -1486304829,
    abc: 479470107,
  };
  const kafkaPartition = (key: string, n: number) => (KAFKA_HASHES[key] & 0x7fffffff) % n;

  it('produces 20,000 keyed records through one bootstrap broker and reads them back in order', async () => {
    const topic = 'orders';
    const partitions = 6;
    const admin = client.admin();
    await waitFor('all three brokers registered', async () => (await admin.describeCluster()).brokers.length === 3);
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] })).toBe(true);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const leaders = new Set(meta.topics[0].partitions.map((p) => p.leader));
    expect(leaders).toEqual(new Set([1, 2, 3])); // leaders spread: the client must reach brokers it was not given

    const keys = [...Object.keys(KAFKA_HASHES), ...Array.from({ length: 500 - Object.keys(KAFKA_HASHES).length }, (_, i) => `customer-${i}`)];
    expect(new Set(keys).size).toBe(500);
    const total = 20_000;
    const producer = client.producer({ acks: 'all', lingerMs: 2 });
    const offsetsSeen: number[] = [];
    for (let start = 0; start < total; start += 1000) {
      const messages = Array.from({ length: 1000 }, (_, j) => {
        const seq = start + j;
        const key = keys[seq % keys.length];
        return { key, value: `${key}|${seq}` };
      });
      const results = await producer.send({ topic, messages });
      for (const r of results) offsetsSeen.push(r.baseOffset);
    }
    await producer.disconnect();
    expect(offsetsSeen.length).toBeGreaterThan(0);

    // Read every partition from offset 0 up to its end.
    const ends = await admin.fetchTopicOffsets(topic);
    expect(ends.reduce((s, p) => s + Number(p.offset), 0)).toBe(total);
    const consumer = client.consumer({ maxWaitMs: 100 });
    consumer.assign(Array.from({ length: partitions }, (_, p) => ({ topic, partition: p, offset: 0 })));
    const byPartition = new Map<number, ConsumedMessage[]>();
    let received = 0;
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const list = byPartition.get(batch.partition) ?? [];
        list.push(...batch.messages);
        byPartition.set(batch.partition, list);
        received += batch.messages.length;
      },
    });
    await waitFor(`all ${total} records consumed`, () => received >= total, 60_000, 50);
    await consumer.disconnect();
    await admin.disconnect();
    expect(received).toBe(total);

    const partitionOfKey = new Map<string, number>();
    const seqsOfKey = new Map<string, number[]>();
    for (const [partition, messages] of byPartition) {
      // offsets start at 0 and are contiguous
      expect(messages.map((m) => m.offset)).toEqual(messages.map((_, i) => i));
      for (const m of messages) {
        const key = m.key!.toString();
        const [valueKey, seq] = m.value!.toString().split('|');
        expect(valueKey).toBe(key);
        const seen = partitionOfKey.get(key);
        if (seen !== undefined) expect(seen).toBe(partition); // a key lives in exactly one partition
        partitionOfKey.set(key, partition);
        seqsOfKey.set(key, [...(seqsOfKey.get(key) ?? []), Number(seq)]);
      }
    }
    expect(partitionOfKey.size).toBe(500);
    for (const key of Object.keys(KAFKA_HASHES)) expect(partitionOfKey.get(key)).toBe(kafkaPartition(key, partitions));
    for (const [key, seqs] of seqsOfKey) {
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b)); // each key's values in produced order
      expect(seqs.length).toBe(total / 500);
      expect(seqs[0]).toBe(keys.indexOf(key));
    }
  });
});
