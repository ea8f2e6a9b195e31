import Redis from 'ioredis';
import { Tributary } from '@tributary/client';
import type { Keys } from '@tributary/coordination';
import { encodeProduceEntries, encodeRecordBatch, ErrorCode, type ProduceResponse } from '@tributary/protocol';
import { sleep, waitFor } from './support/free-port';
import { RawSocket } from './support/raw-socket';
import { readAll, waitForFullIsr } from './support/replication-helpers';
import { TestCluster } from './support/test-cluster';

jest.setTimeout(300_000);

/**
 * Issue 8, item 3: failover without stalls. Each broker reaches Redis through its own TCP
 * proxy, so a test can cut one broker's Redis link (reset, blackhole) while its WebSocket
 * stays up, or SIGKILL a broker. Brokers run with the default lease (1500 ms), lag time and
 * session timeout.
 */
interface Ack {
  partition: number;
  offset: number;
  value: string;
  seq: number;
  at: number;
}

/** One sequential acks=all sender per partition (one key each), recording when each record was acknowledged. */
class PartitionWriters {
  readonly acks: Ack[] = [];
  readonly sendTimes: number[] = [];
  failures = 0;
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(client: Tributary, topic: string, partitions: number[]) {
    const producer = client.producer({ acks: 'all', lingerMs: 0 });
    for (const partition of partitions) {
      this.loops.push(
        (async () => {
          for (let seq = 0; this.running; seq++) {
            const value = `p${partition}|${seq}`;
            const startedAt = Date.now();
            try {
              const [r] = await producer.send({ topic, messages: [{ key: `p${partition}`, value, partition }] });
              this.acks.push({ partition, offset: r.baseOffset, value, seq, at: Date.now() });
              this.sendTimes.push(Date.now() - startedAt);
            } catch {
              this.failures++;
              await sleep(20);
            }
          }
        })(),
      );
    }
    this.loops.push(
      (async () => {
        while (this.running) await sleep(100);
        await producer.disconnect();
      })(),
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  ackedIn(partition: number): Ack[] {
    return this.acks.filter((a) => a.partition === partition);
  }
}

// Every client a test makes is disconnected after the file, so no metadata timer outlives it.
const clients: Tributary[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect().catch(() => undefined)));
});
const track = (client: Tributary) => (clients.push(client), client);
const clientFor = (cluster: TestCluster, ids = cluster.brokers.map((b) => b.id)) =>
  track(
    new Tributary({
      brokers: ids.map((id) => cluster.broker(id).url),
      requestTimeoutMs: 5000,
      retry: { retries: 1000, initialRetryTime: 50, maxRetryTime: 200 },
    }),
  );

async function partitionStates(
  redis: Redis,
  keys: Keys,
  topic: string,
): Promise<Array<{ partition: number; leader: number; leaderEpoch: number; isr: number[] }>> {
  const raw = await redis.hgetall(keys.partitions(topic));
  return Object.values(raw)
    .map((v) => JSON.parse(v) as { partition: number; leader: number; leaderEpoch: number; isr: number[] })
    .sort((a, b) => a.partition - b.partition);
}

/** Every acknowledged record is in the log at its offset, and each key's acknowledged records are in send order. */
async function expectNothingLost(client: Tributary, topic: string, partitions: number, writers: PartitionWriters): Promise<void> {
  const logs = await readAll(client, topic, partitions);
  const missing = writers.acks.filter((a) => logs.get(a.partition)?.get(a.offset) !== a.value);
  expect(missing).toEqual([]);
  for (let p = 0; p < partitions; p++) {
    const acked = writers.ackedIn(p).sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < acked.length; i++) expect(acked[i].seq).toBeGreaterThan(acked[i - 1].seq);
  }
}

describe('failover without stalls (brokers behind Redis proxies)', () => {
  it.each(['reset', 'blackhole'] as const)(
    'a leader cut from Redis (%s) for 10 s: its partitions resume on the new leader within 3 s of the election, its pending requests fail, nothing acknowledged is lost',
    async (mode) => {
      const cluster = await TestCluster.start({ brokers: 3, proxyRedis: true });
      const client = clientFor(cluster);
      const redis = new Redis(cluster.redis.port, '127.0.0.1');
      try {
        const topic = `cut-${mode}`;
        const admin = client.admin();
        await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
        await waitForFullIsr(admin, topic, 3);
        await admin.disconnect();
        const before = await partitionStates(redis, cluster.keys, topic);
        const victim = before[0].leader;
        const victimPartitions = before.filter((p) => p.leader === victim);
        const writers = new PartitionWriters(client, topic, [0, 1, 2]);
        await waitFor('acknowledged writes on every partition', () => [0, 1, 2].every((p) => writers.ackedIn(p).length >= 20), 30_000, 50);

        const raw = await RawSocket.connect(cluster.broker(victim).url);
        const cutAt = Date.now();
        if (mode === 'reset') cluster.proxy(victim).reset();
        else cluster.proxy(victim).blackhole();
        // A request the cut leader accepts now cannot reach its followers: it must be answered
        // with an error once the lease lapses, not held for its 30 s timeout.
        const pendingSentAt = Date.now();
        const pending = raw
          .request<ProduceResponse>(
            'produce',
            {
              acks: -1,
              timeoutMs: 30_000,
              data: encodeProduceEntries([
                {
                  topic,
                  partition: victimPartitions[0].partition,
                  batches: encodeRecordBatch([{ key: null, value: Buffer.from('during-cut'), timestamp: Date.now() }]),
                },
              ]),
            },
            60_000,
          )
          .then((r) => ({ code: r.errorCode === ErrorCode.NONE ? r.partitions[0].errorCode : r.errorCode, after: Date.now() - pendingSentAt }));

        // When do the other brokers elect new leaders for the victim's partitions?
        const electedAt = new Map<number, number>();
        while (Date.now() - cutAt < 10_000) {
          const states = await partitionStates(redis, cluster.keys, topic);
          for (const v of victimPartitions) {
            const s = states[v.partition];
            if (!electedAt.has(v.partition) && s.leader !== victim && s.leaderEpoch > v.leaderEpoch) electedAt.set(v.partition, Date.now());
          }
          await sleep(25);
        }
        const answer = await pending;
        // the cut broker, asked for metadata, says its view is not current
        const meta = await raw.request<{ errorCode: number }>('metadata', { topics: [topic] }, 10_000);
        if (mode === 'reset') cluster.proxy(victim).pass();
        else cluster.proxy(victim).pass();
        raw.close();

        const report: Record<string, unknown> = { mode, victim, pendingAnsweredAfterMs: answer.after, pendingCode: answer.code, failures: writers.failures };
        for (const v of victimPartitions) {
          const elected = electedAt.get(v.partition);
          expect(elected).toBeDefined();
          const first = writers.ackedIn(v.partition).find((a) => a.at >= (elected as number));
          expect(first).toBeDefined();
          report[`p${v.partition}`] = { electedAfterCutMs: (elected as number) - cutAt, firstAckAfterElectionMs: (first as Ack).at - (elected as number) };
          expect((first as Ack).at - (elected as number)).toBeLessThan(3000);
        }
        console.log('cut leader failover', JSON.stringify(report));
        expect(answer.code).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        // failed once the lease lapsed, not held for its 30 s timeout; the figure is in the report
        // above, and the bound leaves a loaded machine room past the lease
        expect(answer.after).toBeLessThan(15_000);
        expect(meta.errorCode).toBe(ErrorCode.BROKER_NOT_AVAILABLE);

        // the healed broker rejoins, and production goes on
        await sleep(1000);
        await writers.stop();
        const verify = clientFor(cluster);
        await waitFor(
          'the cut broker to rejoin the ISR',
          async () => (await partitionStates(redis, cluster.keys, topic)).every((p) => p.isr.length === 3),
          60_000,
          200,
        );
        await expectNothingLost(verify, topic, 3, writers);
      } finally {
        redis.disconnect();
        await cluster.stop();
      }
    },
  );

  it('a SIGSTOPped leader: the producer abandons its in-flight request and writes resume on the new leader within 3 s of the election', async () => {
    const cluster = await TestCluster.start({ brokers: 3, proxyRedis: true });
    const client = clientFor(cluster);
    const redis = new Redis(cluster.redis.port, '127.0.0.1');
    try {
      const topic = 'stopped-leader';
      const admin = client.admin();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
      await waitForFullIsr(admin, topic, 3);
      await admin.disconnect();
      const [state] = await partitionStates(redis, cluster.keys, topic);
      const writers = new PartitionWriters(client, topic, [0]);
      await waitFor('acknowledged writes', () => writers.ackedIn(0).length >= 50, 30_000, 50);

      const stopAt = Date.now();
      await cluster.broker(state.leader).kill('SIGSTOP');
      let electedAt = 0;
      while (Date.now() - stopAt < 10_000) {
        const [s] = await partitionStates(redis, cluster.keys, topic);
        if (!electedAt && s.leader !== state.leader && s.leaderEpoch > state.leaderEpoch) electedAt = Date.now();
        await sleep(25);
      }
      await cluster.broker(state.leader).kill('SIGCONT');
      const first = writers.ackedIn(0).find((a) => a.at >= electedAt);
      console.log(
        'stopped leader',
        JSON.stringify({
          leader: state.leader,
          electedAfterStopMs: electedAt - stopAt,
          firstAckAfterElectionMs: first ? first.at - electedAt : null,
          failures: writers.failures,
        }),
      );
      expect(electedAt).toBeGreaterThan(0);
      expect(first).toBeDefined();
      expect((first as Ack).at - electedAt).toBeLessThan(3000);
      await sleep(1000);
      await writers.stop();
      await waitFor('the resumed broker to rejoin the ISR', async () => (await partitionStates(redis, cluster.keys, topic))[0].isr.length === 3, 60_000, 200);
      await expectNothingLost(clientFor(cluster), topic, 1, writers);
    } finally {
      redis.disconnect();
      await cluster.stop();
    }
  });

  it.each(['SIGKILL', 'blackhole'] as const)('%s of a broker that only follows: acks=all on its partitions resumes within 3 s', async (fault) => {
    const cluster = await TestCluster.start({ brokers: 3, proxyRedis: true });
    const client = clientFor(cluster);
    const redis = new Redis(cluster.redis.port, '127.0.0.1');
    try {
      const topic = 'follower-kill';
      const admin = client.admin();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
      await waitForFullIsr(admin, topic, 3);
      await admin.disconnect();
      const [state] = await partitionStates(redis, cluster.keys, topic);
      const victim = state.isr.find((id) => id !== state.leader) as number;
      const others = cluster.brokers.map((b) => b.id).filter((id) => id !== victim);
      const writers = new PartitionWriters(clientFor(cluster, others), topic, [0]);
      await waitFor('acknowledged writes', () => writers.ackedIn(0).length >= 50, 30_000, 50);

      const killAt = Date.now();
      if (fault === 'SIGKILL') await cluster.broker(victim).kill('SIGKILL');
      else cluster.proxy(victim).blackhole();
      await waitFor('10 s of production after the fault', () => Date.now() - killAt > 10_000, 20_000, 100);
      await writers.stop();

      const acked = writers.ackedIn(0);
      const after = acked.filter((a) => a.at > killAt);
      const firstResumed = acked.find((a) => a.at > killAt + 100);
      // the longest silence between acknowledgements from the kill on
      let maxGap = 0;
      let prev = killAt;
      for (const a of after) {
        maxGap = Math.max(maxGap, a.at - prev);
        prev = a.at;
      }
      const [shrunk] = await partitionStates(redis, cluster.keys, topic);
      console.log(
        'follower fault',
        JSON.stringify({ fault, victim, leader: state.leader, maxGapMs: maxGap, acksAfterKill: after.length, isr: shrunk.isr, failures: writers.failures }),
      );
      expect(firstResumed).toBeDefined();
      expect(maxGap).toBeLessThan(3000);
      expect(shrunk.leader).toBe(state.leader);
      expect(shrunk.isr).not.toContain(victim);
      if (fault === 'blackhole') {
        // healed, the cut follower catches up and rejoins
        cluster.proxy(victim).pass();
        await waitFor(
          'the cut follower to rejoin the ISR',
          async () => (await partitionStates(redis, cluster.keys, topic))[0].isr.includes(victim),
          60_000,
          200,
        );
      }
      await expectNothingLost(clientFor(cluster, others), topic, 1, writers);
    } finally {
      redis.disconnect();
      await cluster.stop();
    }
  });
});
