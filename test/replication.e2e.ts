import { Tributary } from '@tributary/client';
import { committedBytes } from './support/replica-logs';
import { AckTracker, leaderOf, readAll, waitForFullIsr } from './support/replication-helpers';
import { TestCluster } from './support/test-cluster';
import { sleep } from './support/free-port';

jest.setTimeout(300_000);

const FAST = { LEADER_LEASE_MS: '1000', REPLICA_LAG_TIME_MAX_MS: '3000', BROKER_SESSION_TIMEOUT_MS: '3000', METADATA_REFRESH_MS: '1000' };

/**
 * Kafka's promise with RF=3, min.insync=2: a record acknowledged with acks=all survives the
 * SIGKILL of any broker, leaders included, round after round, while producers never pause.
 */
describe('replication and failover (3 real brokers)', () => {
  let cluster: TestCluster;
  let client: Tributary;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 3, brokerEnv: FAST });
    client = new Tributary({
      brokers: cluster.brokers.map((b) => b.url),
      requestTimeoutMs: 5000,
      retry: { retries: 40, initialRetryTime: 50, maxRetryTime: 500 },
    });
  });

  afterAll(async () => {
    await client?.disconnect().catch(() => undefined);
    await cluster?.stop();
  });

  it('keeps every acks=all record through 5 rounds of SIGKILLed leaders, in order, with byte-identical replicas', async () => {
    const topic = 'ha';
    const partitions = 6;
    const admin = client.admin();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }] });
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0].configs['min.insync.replicas']).toBe('2');
    await waitForFullIsr(admin, topic, 3);

    const tracker = new AckTracker(
      client.producer({ acks: 'all', lingerMs: 2, retry: { retries: 60, initialRetryTime: 50, maxRetryTime: 500 } }),
      topic,
      partitions,
    );
    tracker.start();
    await sleep(1000);

    let lastKilled = -1;
    for (let round = 0; round < 5; round++) {
      let victim = -1;
      for (let p = 0; p < partitions && victim < 0; p++) {
        const leader = await leaderOf(admin, topic, (round + p) % partitions);
        if (leader > 0 && leader !== lastKilled) victim = leader;
      }
      expect(victim).toBeGreaterThan(0);
      await cluster.broker(victim).kill('SIGKILL');
      await sleep(2500);
      await cluster.broker(victim).start();
      await waitForFullIsr(admin, topic, 3);
      lastKilled = victim;
    }
    await sleep(500);
    await tracker.stop();
    await waitForFullIsr(admin, topic, 3);

    expect(tracker.acked.length).toBeGreaterThan(1000);
    // leadership really moved: every kill forced new epochs
    const after = await admin.fetchTopicMetadata({ topics: [topic] });
    const epochs = after.topics[0].partitions.map((p) => p.leaderEpoch);
    expect(Math.max(...epochs)).toBeGreaterThanOrEqual(3);
    process.stdout.write(`failover: ${tracker.acked.length} acknowledged, ${tracker.failures} failed sends, epochs ${epochs.join(',')}\n`);
    const logs = await readAll(client, topic, partitions);
    for (const a of tracker.acked) {
      expect({ at: `${a.partition}@${a.offset}`, value: logs.get(a.partition)?.get(a.offset) }).toEqual({
        at: `${a.partition}@${a.offset}`,
        value: `${a.key}|${a.seq}`,
      });
    }
    // each key's acknowledged records are in the order they were sent
    const byKey = new Map<string, { offset: number; seq: number }[]>();
    for (const a of tracker.acked) byKey.set(a.key, [...(byKey.get(a.key) ?? []), a]);
    for (const list of byKey.values()) {
      const sorted = [...list].sort((x, y) => x.offset - y.offset);
      expect(sorted.map((x) => x.seq)).toEqual([...list].map((x) => x.seq).sort((x, y) => x - y));
    }
    // the three replicas hold the same bytes up to the high watermark
    const ends = await admin.fetchTopicOffsets(topic);
    for (const e of ends) {
      const hw = Number(e.high);
      const copies = cluster.brokers.map((b) => committedBytes(b.options.dataDir, topic, e.partition, hw));
      expect(copies[0].length).toBeGreaterThan(0);
      expect(copies[1].equals(copies[0])).toBe(true);
      expect(copies[2].equals(copies[0])).toBe(true);
    }
    await admin.disconnect();
  });
});
