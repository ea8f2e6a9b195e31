import Redis from 'ioredis';
import { Tributary, TributaryError } from '@tributary/client';
import { encodeProduceEntries, encodeRecordBatch, ErrorCode, type ProduceResponse } from '@tributary/protocol';
import { RawSocket } from './support/raw-socket';
import { committedBytes, readReplicaBatches } from './support/replica-logs';
import { AckTracker, leaderOf, readAll, waitForFullIsr } from './support/replication-helpers';
import { TestCluster } from './support/test-cluster';
import { sleep, waitFor } from './support/free-port';

jest.setTimeout(300_000);

const FAST = { LEADER_LEASE_MS: '1000', REPLICA_LAG_TIME_MAX_MS: '3000', BROKER_SESSION_TIMEOUT_MS: '3000', METADATA_REFRESH_MS: '1000' };
// Every client a test makes is disconnected after the file, so no metadata timer outlives it.
const clients: Tributary[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect().catch(() => undefined)));
});
const track = (client: Tributary) => (clients.push(client), client);
const clientFor = (cluster: TestCluster) =>
  track(new Tributary({ brokers: cluster.brokers.map((b) => b.url), requestTimeoutMs: 5000, retry: { retries: 60, initialRetryTime: 50, maxRetryTime: 500 } }));

async function isrOf(client: Tributary, topic: string, partition: number): Promise<{ leader: number; isr: number[] }> {
  const admin = client.admin();
  try {
    const p = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions[partition];
    return { leader: p.leader, isr: p.isr };
  } finally {
    await admin.disconnect();
  }
}

function expectIdenticalReplicas(cluster: TestCluster, topic: string, partition: number, hw: number): void {
  const copies = cluster.brokers.map((b) => committedBytes(b.options.dataDir, topic, partition, hw));
  expect(copies[0].length).toBeGreaterThan(0);
  for (const c of copies) expect(c.equals(copies[0])).toBe(true);
}

async function expectAllAcked(client: Tributary, tracker: AckTracker, topic: string, partitions: number): Promise<void> {
  const logs = await readAll(client, topic, partitions);
  let missing = 0;
  for (const a of tracker.acked) if (logs.get(a.partition)?.get(a.offset) !== `${a.key}|${a.seq}`) missing++;
  expect({ acked: tracker.acked.length > 100, missing }).toEqual({ acked: true, missing: 0 });
}

describe('replication under faults (real brokers, real Redis)', () => {
  it("a paused leader acknowledges nothing in its old epoch and rejoins as a follower with the new leader's log", async () => {
    const cluster = await TestCluster.start({ brokers: 3, brokerEnv: FAST });
    const client = clientFor(cluster);
    try {
      const topic = 'paused';
      const admin = client.admin();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] });
      await waitForFullIsr(admin, topic, 3);
      const producer = client.producer({ acks: 'all', lingerMs: 1 });
      for (let i = 0; i < 20; i++) await producer.send({ topic, messages: [{ key: 'k', value: `before-${i}` }] });

      const old = await leaderOf(admin, topic, 0);
      const raw = await RawSocket.connect(cluster.broker(old).url);
      // While the old leader is paused, talk only to the others: a request to a stopped
      // process would wait out its whole timeout.
      const live = track(
        new Tributary({
          brokers: cluster.brokers.filter((b) => b.id !== old).map((b) => b.url),
          requestTimeoutMs: 5000,
          retry: { retries: 60, initialRetryTime: 50, maxRetryTime: 500 },
        }),
      );
      await cluster.broker(old).kill('SIGSTOP');
      // Requests sent to the paused leader wait in its socket until it resumes.
      const zombie = (acks: number) =>
        raw.request<ProduceResponse>(
          'produce',
          {
            acks,
            timeoutMs: 5000,
            data: encodeProduceEntries([
              { topic, partition: 0, batches: encodeRecordBatch([{ key: null, value: Buffer.from(`zombie-${acks}`), timestamp: Date.now() }]) },
            ]),
          },
          60_000,
        );
      const zombieAll = zombie(-1);
      const zombieOne = zombie(1);

      await waitFor('another broker to lead', async () => (await isrOf(live, topic, 0)).leader !== old, 20_000, 100);
      const liveProducer = live.producer({ acks: 'all', lingerMs: 1 });
      for (let i = 0; i < 20; i++) await liveProducer.send({ topic, messages: [{ key: 'k', value: `after-${i}` }] });
      await liveProducer.disconnect();

      await cluster.broker(old).kill('SIGCONT');
      for (const r of await Promise.all([zombieAll, zombieOne])) {
        expect(r.errorCode === ErrorCode.NONE ? r.partitions[0].errorCode : r.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      }
      raw.close();
      // A broker just resumed may answer from its pre-pause metadata for a moment, which
      // names `old` as leader: wait for the state that cannot be stale.
      await waitFor(
        'the old leader to rejoin the ISR as a follower',
        async () => {
          const state = await isrOf(client, topic, 0);
          return state.leader !== old && state.isr.length === 3 && state.isr.includes(old);
        },
        60_000,
        200,
      );

      const values = [...(await readAll(client, topic, 1)).get(0)!.values()];
      expect(values.filter((v) => v.startsWith('zombie'))).toEqual([]);
      expect(values.filter((v) => v.startsWith('before') || v.startsWith('after'))).toHaveLength(40);
      const hw = values.length;
      await waitFor(
        "the old leader to hold exactly the new leader's log",
        () => {
          const ends = cluster.brokers.map((b) => readReplicaBatches(b.options.dataDir, topic, 0).reduce((m, x) => Math.max(m, x.lastOffset + 1), 0));
          return ends.every((e) => e === hw);
        },
        20_000,
      );
      expectIdenticalReplicas(cluster, topic, 0, hw);
      await producer.disconnect();
      await admin.disconnect();
    } finally {
      await cluster.stop();
    }
  });

  it('resumes after Redis restarts mid-production (appendonly), losing nothing acknowledged', async () => {
    const cluster = await TestCluster.start({ brokers: 3, brokerEnv: FAST, redisAppendOnly: true });
    const client = clientFor(cluster);
    try {
      const topic = 'redis-restart';
      const admin = client.admin();
      await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3 }] });
      await waitForFullIsr(admin, topic, 3);
      const tracker = new AckTracker(client.producer({ acks: 'all', lingerMs: 2, retry: { retries: 100, initialRetryTime: 50, maxRetryTime: 500 } }), topic, 3);
      tracker.start();
      await sleep(1500);
      const beforeOutage = tracker.acked.length;
      await cluster.redis.stop();
      await sleep(2000);
      await cluster.redis.restart();
      await waitFor('production to resume', () => tracker.acked.length > beforeOutage + 500, 60_000, 100);
      await tracker.stop();
      await waitForFullIsr(admin, topic, 3, 90_000);
      await expectAllAcked(client, tracker, topic, 3);
      await admin.disconnect();
    } finally {
      await cluster.stop();
    }
  });

  it('refuses acks=all with NOT_ENOUGH_REPLICAS when two of three brokers are down, accepts acks=1, and grows the ISR back', async () => {
    const cluster = await TestCluster.start({ brokers: 3, brokerEnv: FAST });
    const client = clientFor(cluster);
    try {
      const topic = 'min-isr';
      const admin = client.admin();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] });
      await waitForFullIsr(admin, topic, 3);
      const leader = await leaderOf(admin, topic, 0);
      const others = cluster.brokers.filter((b) => b.id !== leader);
      for (const b of others) await b.kill('SIGKILL');
      await waitFor('the ISR to shrink to the leader', async () => (await isrOf(client, topic, 0)).isr.length === 1, 30_000, 200);

      const strict = client.producer({ acks: 'all', retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 } });
      const err = await strict.send({ topic, messages: [{ value: 'needs two' }] }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TributaryError);
      expect((err as TributaryError).type).toBe('NOT_ENOUGH_REPLICAS');
      const relaxed = client.producer({ acks: 1 });
      const ok = await relaxed.send({ topic, messages: [{ value: 'one is enough' }] });
      expect(ok[0].errorCode).toBe(ErrorCode.NONE);

      for (const b of others) await b.start();
      await waitForFullIsr(admin, topic, 3);
      expect((await isrOf(client, topic, 0)).isr.sort()).toEqual([1, 2, 3]);
      const now = await strict.send({ topic, messages: [{ value: 'two again' }] });
      expect(now[0].errorCode).toBe(ErrorCode.NONE);
      await Promise.all([strict.disconnect(), relaxed.disconnect(), admin.disconnect()]);
    } finally {
      await cluster.stop();
    }
  });

  it('a follower that fell out of the stream window catches up by direct fetch and rejoins the ISR', async () => {
    const cluster = await TestCluster.start({ brokers: 3, brokerEnv: { ...FAST, REPLICATION_STREAM_MAXLEN: '10' } });
    const client = clientFor(cluster);
    const redis = new Redis(cluster.redis.url);
    try {
      const topic = 'window';
      const admin = client.admin();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] });
      await waitForFullIsr(admin, topic, 3);
      const leader = await leaderOf(admin, topic, 0);
      const follower = cluster.brokers.find((b) => b.id !== leader)!;
      await follower.kill('SIGSTOP');
      const producer = client.producer({ acks: 1, lingerMs: 0 });
      for (let i = 0; i < 600; i++) await producer.send({ topic, messages: [{ key: 'k', value: `v${i}` }] });
      const streamKeys = await redis.keys('tributary:*:repl:window:0');
      const windowLength = await redis.xlen(streamKeys[0]);
      expect(windowLength).toBeLessThan(600); // most of what the follower missed is gone from the stream
      await waitFor('the stopped follower to leave the ISR', async () => !(await isrOf(client, topic, 0)).isr.includes(follower.id), 30_000, 200);

      await follower.kill('SIGCONT');
      await waitForFullIsr(admin, topic, 3);
      const hw = Number((await admin.fetchTopicOffsets(topic))[0].high);
      expect(hw).toBe(600);
      await waitFor(
        'the follower to hold every batch',
        () => committedBytes(follower.options.dataDir, topic, 0, hw).length === committedBytes(cluster.broker(leader).options.dataDir, topic, 0, hw).length,
        20_000,
      );
      expectIdenticalReplicas(cluster, topic, 0, hw);
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    } finally {
      redis.disconnect();
      await cluster.stop();
    }
  });
});
