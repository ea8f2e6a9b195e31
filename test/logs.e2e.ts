import * as fs from 'fs';
import * as path from 'path';
import { Tributary } from '@tributary/client';
import { waitFor } from './support/free-port';
import { leaderOf, waitForFullIsr } from './support/replication-helpers';
import { TestCluster } from './support/test-cluster';

jest.setTimeout(120_000);

/**
 * Issue 14: brokers write structured JSON logs. SIGKILL a partition's leader: the new leader
 * writes one line naming the partition, the new epoch and the old leader; the killed broker,
 * restarted over a torn tail, logs its recovery with the numbers.
 */
const ENV = { LEADER_LEASE_MS: '1000', REPLICA_LAG_TIME_MAX_MS: '3000', BROKER_SESSION_TIMEOUT_MS: '3000', METADATA_REFRESH_MS: '500' };
const TOPIC = 'logged';

type Line = Record<string, unknown>;

/** The JSON lines a broker wrote (anything else it printed is skipped). */
function jsonLines(output: string): Line[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Line];
      } catch {
        return [];
      }
    });
}

let cluster: TestCluster;
let client: Tributary | null = null;

beforeAll(async () => {
  cluster = await TestCluster.start({ brokers: 3, brokerEnv: ENV });
});

afterAll(async () => {
  await client?.disconnect().catch(() => undefined);
  await cluster?.stop();
});

describe('structured logs (real brokers)', () => {
  it('the new leader logs one line with the partition, new epoch and old leader; the restarted broker logs its recovery', async () => {
    client = new Tributary({
      brokers: cluster.brokers.map((b) => b.url),
      requestTimeoutMs: 5000,
      retry: { retries: 60, initialRetryTime: 50, maxRetryTime: 500 },
    });
    const admin = client.admin();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3 }] });
    await waitForFullIsr(admin, TOPIC, 3);
    const producer = client.producer({ acks: 'all', lingerMs: 1 });
    for (let i = 0; i < 10; i++) await producer.send({ topic: TOPIC, messages: Array.from({ length: 10 }, (_, j) => ({ value: `v${i * 10 + j}` })) });

    const oldLeader = await leaderOf(admin, TOPIC, 0);
    const oldEpoch = (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0].partitions[0].leaderEpoch;
    const victim = cluster.broker(oldLeader);
    await victim.kill('SIGKILL');
    let newLeader = -1;
    await waitFor('a new leader', async () => (newLeader = await leaderOf(admin, TOPIC, 0).catch(() => -1)) > 0 && newLeader !== oldLeader, 30_000, 100);
    await producer.send({ topic: TOPIC, messages: [{ value: 'after failover' }] });

    const claims = jsonLines(cluster.broker(newLeader).output).filter((l) => l.msg === 'leadership claimed' && l.topic === TOPIC && l.partition === 0);
    console.log(`broker ${newLeader} took over from ${oldLeader}:`, claims);
    expect(claims).toHaveLength(1);
    expect(claims[0]).toMatchObject({ level: 30, brokerId: newLeader, previousLeader: oldLeader, previousEpoch: oldEpoch });
    expect(claims[0].epoch).toBeGreaterThan(oldEpoch);
    expect(typeof claims[0].time).toBe('string');
    // Its followers log the change once each too, with the same numbers.
    for (const b of cluster.brokers.filter((x) => x.id !== newLeader && x.id !== oldLeader)) {
      const changes = jsonLines(b.output).filter((l) => l.msg === 'leader changed' && l.topic === TOPIC && l.epoch === claims[0].epoch);
      expect(changes).toEqual([expect.objectContaining({ leader: newLeader, previousLeader: oldLeader })]);
    }

    // A torn batch at the end of the killed broker's active segment, as a crash mid-write leaves it.
    const segment = path.join(victim.options.dataDir, `${TOPIC}-0`, '00000000000000000000.log');
    fs.appendFileSync(segment, Buffer.from([0, 0, 0, 0, 0, 0, 0, 99, 0, 0, 0]));
    const outputBefore = victim.output.length;
    await victim.start();
    let recovery: Line[] = [];
    await waitFor(
      'the restarted broker to log its recovery',
      () => (recovery = jsonLines(victim.output.slice(outputBefore)).filter((l) => l.event === 'log-recovery' && l.topic === TOPIC)).length > 0,
      20_000,
      100,
    );
    console.log(`broker ${oldLeader} restarted:`, recovery);
    expect(recovery).toHaveLength(1);
    expect(recovery[0]).toMatchObject({
      level: 40,
      msg: 'log recovered: torn tail truncated',
      partition: 0,
      truncatedBytes: 11,
      logStartOffset: 0,
      logEndOffset: 100,
    });
    await producer.disconnect();
    await admin.disconnect();
  });
});
