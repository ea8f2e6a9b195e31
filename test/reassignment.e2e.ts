import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Tributary, type Admin } from '@tributary/client';
import { committedBytes } from './support/replica-logs';
import { AckTracker, readAll, waitForFullIsr } from './support/replication-helpers';
import { TestCluster } from './support/test-cluster';
import { sleep, waitFor } from './support/free-port';

jest.setTimeout(240_000);

const IMBALANCE_CHECK_MS = 2000;
const THROTTLE = 1024 * 1024;
const FAST = {
  LEADER_LEASE_MS: '1000',
  REPLICA_LAG_TIME_MAX_MS: '3000',
  BROKER_SESSION_TIMEOUT_MS: '3000',
  METADATA_REFRESH_MS: '1000',
  LEADER_IMBALANCE_CHECK_INTERVAL_MS: String(IMBALANCE_CHECK_MS),
  // throttled: the other tests move little data; the resumption test moves enough to take seconds
  REASSIGNMENT_THROTTLE_BYTES_PER_SEC: String(THROTTLE),
  CONTROLLER_LEASE_MS: '2000',
  ADMIN_JOB_LOCK_MS: '2000',
};

const CLI = path.resolve(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');

function cli(cluster: TestCluster, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--brokers', cluster.brokers.map((b) => b.url).join(',')], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function partitionsOf(admin: Admin, topic: string) {
  return (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions;
}

/** Waits until no partition of `topic` is in reassignment (and, with `target`, partition 0 has those replicas). */
async function waitForReassignments(admin: Admin, topic: string, target?: number[], timeoutMs = 90_000): Promise<void> {
  if (target)
    await waitFor(
      `${topic}-0 to have replicas ${target.join(',')}`,
      async () => (await partitionsOf(admin, topic))[0].replicas.join() === target.join(),
      timeoutMs,
      200,
    );
  await waitFor(
    `the reassignments of ${topic} to complete`,
    async () => (await admin.listPartitionReassignments({ topics: [topic] })).topics.length === 0,
    timeoutMs,
    200,
  );
}

/** Every acknowledged record is at its offset, in order, with the value it was sent with. */
function expectAllAcked(tracker: AckTracker, logs: Map<number, Map<number, string>>): void {
  for (const a of tracker.acked) {
    expect({ at: `${a.partition}@${a.offset}`, value: logs.get(a.partition)?.get(a.offset) }).toEqual({
      at: `${a.partition}@${a.offset}`,
      value: `${a.key}|${a.seq}`,
    });
  }
}

/**
 * Issue 11: reassignment (KIP-455), decommission and preferred leader election on 4 real
 * brokers and a real Redis, under continuous acks=all production.
 */
describe('reassignment, decommission and preferred leaders (4 real brokers)', () => {
  let cluster: TestCluster;
  let client: Tributary;
  let admin: Admin;

  beforeAll(async () => {
    const t0 = Date.now();
    cluster = await TestCluster.start({ brokers: 4, brokerEnv: FAST });
    client = new Tributary({
      brokers: cluster.brokers.map((b) => b.url),
      requestTimeoutMs: 5000,
      retry: { retries: 40, initialRetryTime: 50, maxRetryTime: 500 },
    });
    admin = client.admin();
    await waitFor('all four brokers to register', async () => (await admin.describeCluster()).brokers.length === 4, 30_000, 200);
    process.stdout.write(`4 brokers up in ${Date.now() - t0} ms\n`);
  });

  afterAll(async () => {
    const t0 = Date.now();
    await admin?.disconnect().catch(() => undefined);
    await client?.disconnect().catch(() => undefined);
    await cluster?.stop();
    process.stdout.write(`cluster stopped in ${Date.now() - t0} ms\n`);
  });

  it('moves an RF=3 partition off its leader to a new replica set under acks=all production: nothing acked lost or reordered, replicas byte-identical, the old files gone', async () => {
    const topic = 'moving';
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] });
    await waitForFullIsr(admin, topic, 3);
    const [before] = await partitionsOf(admin, topic);
    // from a,b,c to b,c,d: the leaving replica is the preferred leader, as 1,2,3 -> 2,3,4
    const leaving = before.replicas[0];
    const added = [1, 2, 3, 4].find((b) => !before.replicas.includes(b)) as number;
    const target = [...before.replicas.slice(1), added];
    const tracker = new AckTracker(client.producer({ acks: 'all', lingerMs: 2, retry: { retries: 60, initialRetryTime: 50, maxRetryTime: 500 } }), topic, 1);
    tracker.start();
    await sleep(1000);
    const startedAt = Date.now();
    const { jobId } = await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: target }] }] });
    expect(jobId).toBeDefined();
    await waitForReassignments(admin, topic, target);
    const tookMs = Date.now() - startedAt;
    await sleep(1000); // production continues on the new replica set
    await tracker.stop();

    const [after] = await partitionsOf(admin, topic);
    expect(after.replicas).toEqual(target);
    expect(target).toContain(after.leader);
    await waitForFullIsr(admin, topic, 3);
    const ackedDuring = tracker.acked.filter((a) => a.offset >= 0).length;
    process.stdout.write(
      `reassign ${before.replicas.join(',')} -> ${target.join(',')}: ${tookMs} ms, ${ackedDuring} records acked, ${tracker.failures} failed sends\n`,
    );
    expect(ackedDuring).toBeGreaterThan(100);

    expectAllAcked(tracker, await readAll(client, topic, 1));
    const hw = (await admin.fetchTopicOffsets(topic))[0].high;
    const bytes = target.map((b) => committedBytes(path.join(cluster.dir, `broker-${b}`), topic, 0, Number(hw)));
    expect(bytes[0].length).toBeGreaterThan(0);
    for (const b of bytes.slice(1)) expect(b.equals(bytes[0])).toBe(true);
    const oldDir = path.join(cluster.dir, `broker-${leaving}`, `${topic}-0`);
    await waitFor(`broker ${leaving}'s files for ${topic}-0 to be deleted`, async () => !fs.existsSync(oldDir), 15_000, 100);
  });

  it('moves leadership back to the preferred replicas after a failover and the broker return, within the check interval', async () => {
    const topic = 'preferred';
    await admin.createTopics({ topics: [{ topic, numPartitions: 8, replicationFactor: 3 }] });
    await waitForFullIsr(admin, topic, 3);
    await waitFor(
      'every partition led by its preferred replica',
      async () => (await partitionsOf(admin, topic)).every((p) => p.leader === p.replicas[0]),
      30_000,
      200,
    );
    const controller = (await admin.describeCluster()).controller;
    const parts = await partitionsOf(admin, topic);
    // a broker that is the preferred leader of some partition, and not the controller (its restart would also move the controller)
    const victim = parts.map((p) => p.replicas[0]).find((b) => b !== controller) as number;
    const preferredOf = parts.filter((p) => p.replicas[0] === victim).map((p) => p.partition);
    await cluster.broker(victim).kill('SIGKILL');
    await waitFor(
      `leaders to move off broker ${victim}`,
      async () => (await partitionsOf(admin, topic)).every((p) => p.leader > 0 && p.leader !== victim),
      30_000,
      200,
    );
    await cluster.broker(victim).start();
    await waitForFullIsr(admin, topic, 3);
    const rejoinedAt = Date.now();
    await waitFor(
      `broker ${victim} to lead its preferred partitions ${preferredOf.join(',')} again`,
      async () => (await partitionsOf(admin, topic)).every((p) => p.leader === p.replicas[0]),
      60_000,
      100,
    );
    const tookMs = Date.now() - rejoinedAt;
    process.stdout.write(`preferred leaders back ${tookMs} ms after broker ${victim} rejoined the ISR (check interval ${IMBALANCE_CHECK_MS} ms)\n`);
    // within the configured interval, plus the job and the new leader's claim; generous for a loaded machine
    expect(tookMs).toBeLessThan(IMBALANCE_CHECK_MS + 8000);
    // the operator's view agrees, and an election on demand has nothing left to do
    const status = cli(cluster, 'cluster', 'status');
    expect(status).toMatchObject({ status: 0, stdout: expect.stringContaining('partitions not led by their preferred replica: 0') });
    expect(status.stdout).toMatch(/4 live broker\(s\), controller \d/);
    const elect = cli(cluster, 'partitions', 'elect-leaders', '--topic', topic);
    expect(elect.status).toBe(0);
    expect(
      elect.stdout
        .split('\n')
        .filter((l) => l.startsWith(topic))
        .every((l) => l.endsWith('not needed')),
    ).toBe(true);
  });

  it('decommissions a broker of a 4-broker cluster with 12 partitions RF=3: it ends with no replica, the others balanced within one, no record lost', async () => {
    const topic = 'decommission';
    await admin.createTopics({ topics: [{ topic, numPartitions: 12, replicationFactor: 3 }] });
    await waitForFullIsr(admin, topic, 3);
    const controller = (await admin.describeCluster()).controller;
    const leaving = [1, 2, 3, 4].find((b) => b !== controller) as number;
    const tracker = new AckTracker(client.producer({ acks: 'all', lingerMs: 2, retry: { retries: 60, initialRetryTime: 50, maxRetryTime: 500 } }), topic, 12);
    tracker.start();
    await sleep(500);
    const startedAt = Date.now();
    const { moves, jobId } = await admin.decommissionBroker(leaving);
    expect(jobId).toBeDefined();
    // every replica on it moves, those of the earlier tests' topics too; 9 of them are this topic's
    expect(moves.filter((m) => m.topic === topic).length).toBe(9);
    await waitFor('every reassignment to complete', async () => (await admin.listPartitionReassignments()).topics.length === 0, 90_000, 200);
    const tookMs = Date.now() - startedAt;
    await tracker.stop();

    const all = (await admin.fetchTopicMetadata()).topics.flatMap((t) => t.partitions);
    expect(all.filter((p) => p.replicas.includes(leaving))).toEqual([]);
    const parts = await partitionsOf(admin, topic);
    const load = new Map<number, number>();
    for (const p of parts) {
      expect(p.replicas).not.toContain(leaving);
      expect(new Set(p.replicas).size).toBe(3);
      for (const b of p.replicas) load.set(b, (load.get(b) ?? 0) + 1);
    }
    const counts = [...load.values()];
    process.stdout.write(
      `decommission of broker ${leaving}: ${moves.length} replicas moved in ${tookMs} ms; load ${[...load].map(([b, n]) => `${b}:${n}`).join(' ')}; ${tracker.acked.length} acked, ${tracker.failures} failed sends\n`,
    );
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expectAllAcked(tracker, await readAll(client, topic, 12));
    await waitFor(
      `broker ${leaving} to delete every directory of ${topic}`,
      async () => !fs.readdirSync(path.join(cluster.dir, `broker-${leaving}`)).some((d) => d.startsWith(`${topic}-`)),
      15_000,
      100,
    );
  });

  it('finishes a throttled reassignment under the next controller when the controller is SIGKILLed mid-way', async () => {
    const topic = 'resumed';
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 2 }] });
    await waitForFullIsr(admin, topic, 2);
    const producer = client.producer({ acks: 'all', lingerMs: 0 });
    const value = 'x'.repeat(10_000);
    // about 4 MB: at the 1 MB/s throttle the new replica needs seconds to catch up
    for (let i = 0; i < 40; i++)
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, j) => ({ key: `k${i}`, value: `${i * 10 + j}|${value}` })) });
    await producer.disconnect();
    const controller = (await admin.describeCluster()).controller as number;
    const [before] = await partitionsOf(admin, topic);
    const live = (await admin.describeCluster()).brokers.map((b) => b.id);
    // two brokers that are not the controller, at least one of them new to the partition
    const target = live
      .filter((b) => b !== controller && !before.replicas.includes(b))
      .concat(live.filter((b) => b !== controller && before.replicas.includes(b)));
    target.splice(2);
    const startedAt = Date.now();
    const { jobId } = await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: target }] }] });
    await sleep(800);
    expect((await admin.listPartitionReassignments({ topics: [topic] })).topics.length).toBe(1); // still catching up
    await cluster.broker(controller).kill('SIGKILL');
    await waitForReassignments(admin, topic, target);
    const tookMs = Date.now() - startedAt;
    const [after] = await partitionsOf(admin, topic);
    expect(after.replicas).toEqual(target);
    const successor = (await admin.describeCluster()).controller as number;
    expect(successor).not.toBe(controller);
    await waitFor(
      `the job ${jobId} to complete under controller ${successor}`,
      async () => cluster.broker(successor).output.includes(`"event":"job-completed","jobId":"${jobId}"`),
      30_000,
      200,
    );
    process.stdout.write(
      `reassignment ${before.replicas.join(',')} -> ${target.join(',')} with controller ${controller} killed: done in ${tookMs} ms under controller ${successor}\n`,
    );
    await waitForFullIsr(admin, topic, 2);
    const logs = await readAll(client, topic, 1);
    expect(logs.get(0)?.size).toBe(400);
    for (let n = 0; n < 400; n++) expect(logs.get(0)?.get(n)?.split('|')[0]).toBe(String(n));
    await cluster.broker(controller).start();
  });
});
