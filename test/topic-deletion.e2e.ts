import * as fs from 'fs';
import * as path from 'path';
import Redis from 'ioredis';
import { LogLevel, Tributary, type Admin, type JobInfo } from '@tributary/client';
import { ErrorCode, encodeProduceEntries, encodeRecordBatch, type FetchResponse, type ProduceResponse } from '@tributary/protocol';
import { sleep, waitFor } from './support/free-port';
import { FAST_BROKER_ENV, startMember, type Member } from './support/group-helpers';
import { RawSocket } from './support/raw-socket';
import { readAll, waitForFullIsr } from './support/replication-helpers';
import { TestCluster } from './support/test-cluster';

jest.setTimeout(180_000);

/**
 * Issue 11, part A: topic deletion as an admin job (BullMQ) and topic ids (KIP-516), on three
 * real brokers and a private Redis. The jobs pause 0.7 s after each step
 * (ADMIN_JOB_STEP_DELAY_MS, testing only) so the controller can be killed in the middle of one,
 * and a dead controller's lock lapses after 1 s (ADMIN_JOB_LOCK_MS).
 */
const JOB_ENV = {
  ...FAST_BROKER_ENV,
  CONTROLLER_LEASE_MS: '2000',
  ADMIN_JOB_LOCK_MS: '1000',
  ADMIN_JOB_STEP_DELAY_MS: '700',
};

let cluster: TestCluster;
let redis: Redis;
const clients: Tributary[] = [];
const sockets: RawSocket[] = [];

function client(brokerIds = cluster.brokers.filter((b) => b.running).map((b) => b.id)): Tributary {
  const c = new Tributary({
    brokers: brokerIds.map((id) => cluster.broker(id).url),
    requestTimeoutMs: 5000,
    retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 300 },
    logLevel: LogLevel.NOTHING,
  });
  clients.push(c);
  return c;
}

async function socketTo(id: number): Promise<RawSocket> {
  const s = await RawSocket.connect(cluster.broker(id).url);
  sockets.push(s);
  return s;
}

/** the broker's partition directories of `topic` (named `<topic>-<partition>`) */
function replicaDirs(brokerId: number, topic: string): string[] {
  const dir = path.join(cluster.dir, `broker-${brokerId}`);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((name) => new RegExp(`^${topic.replace(/\./g, '\\.')}-\\d+$`).test(name));
}

function topicIdOnDisk(brokerId: number, topic: string, partition: number): string | null {
  const file = path.join(cluster.dir, `broker-${brokerId}`, `${topic}-${partition}`, 'partition.metadata');
  if (!fs.existsSync(file)) return null;
  return /topic_id:\s*(\S+)/.exec(fs.readFileSync(file, 'utf8'))?.[1] ?? null;
}

async function topicId(admin: Admin, topic: string): Promise<string> {
  const id = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].topicId;
  if (!id) throw new Error(`metadata for ${topic} carries no topicId`);
  return id;
}

function produceRequest(topic: string, partition: number, value: string): { acks: -1; timeoutMs: number; data: Buffer } {
  const batch = encodeRecordBatch([{ key: null, value: Buffer.from(value), headers: {}, timestamp: Date.now() }]);
  return { acks: -1, timeoutMs: 5000, data: encodeProduceEntries([{ topic, partition, batches: batch }]) };
}

function fetchRequest(topic: string, partition: number): Record<string, unknown> {
  return { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, partitions: [{ topic, partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] };
}

/** Produce and fetch on every live broker answer UNKNOWN_TOPIC_OR_PARTITION for `topic`. */
async function everyBrokerSaysUnknown(topic: string, brokerIds: number[]): Promise<boolean> {
  for (const id of brokerIds) {
    const s = await socketTo(id);
    const [produced, fetched] = await Promise.all([
      s.request<ProduceResponse>('produce', produceRequest(topic, 0, 'after-delete')),
      s.request<FetchResponse>('fetch', fetchRequest(topic, 0)),
    ]);
    s.close();
    if (produced.partitions[0]?.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return false;
    if (fetched.partitions[0]?.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return false;
  }
  return true;
}

async function redisKeysOf(topic: string): Promise<string[]> {
  const prefix = cluster.keys.prefix;
  const keys = [
    ...(await redis.keys(`${prefix}repl:${topic}:*`)),
    ...(await redis.keys(`${prefix}lease:${topic}:*`)),
    ...(await redis.keys(`${prefix}partitions:${topic}`)),
  ];
  if (await redis.hexists(cluster.keys.topics, topic)) keys.push('topics field');
  if (await redis.hexists(`${prefix}deleting-topics`, topic)) keys.push('tombstone');
  return keys;
}

beforeAll(async () => {
  cluster = await TestCluster.start({ brokers: 3, brokerEnv: JOB_ENV });
  redis = new Redis(cluster.redis.port, '127.0.0.1');
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(clients.map((c) => c.disconnect().catch(() => undefined)));
  redis?.disconnect();
  await cluster?.stop();
});

describe('topic deletion (admin job) and topic ids', () => {
  it('deletes a topic in use: at once out of metadata everywhere, then every replica, stream and group offset gone; the name comes back empty with a new id', async () => {
    const c = client();
    const admin = c.admin();
    const topic = 'doomed';
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3 }] });
    await waitForFullIsr(admin, topic, 3);
    const oldId = await topicId(admin, topic);
    for (const b of cluster.brokers) for (let p = 0; p < 3; p++) expect(topicIdOnDisk(b.id, topic, p)).toBe(oldId);

    // a producer and a consumer group keep using it
    const producer = c.producer({ acks: 'all', lingerMs: 0, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 } });
    let producing = true;
    let acked = 0;
    let failedAfter = 0;
    const producing$ = (async () => {
      for (let i = 0; producing; i++) {
        try {
          await producer.send({ topic, messages: [{ key: `k${i % 7}`, value: `v${i}` }] });
          acked++;
        } catch {
          failedAfter++;
          await sleep(50);
        }
      }
    })();
    const member: Member = await startMember(c, 'doomed-group', topic);
    await waitFor('records consumed and offsets committed', async () => {
      const committed = await admin.groups().fetchOffsets('doomed-group');
      return acked > 30 && member.seen.length > 10 && committed.some((o) => o.topic === topic && o.offset > 0);
    });

    const deletedAt = Date.now();
    const [deleted] = await admin.deleteTopics({ topics: [topic] });
    expect(deleted).toMatchObject({ topic, topicId: oldId, jobId: `deleteTopic-${oldId}` });
    await waitFor('every broker to answer UNKNOWN_TOPIC_OR_PARTITION', () => everyBrokerSaysUnknown(topic, [1, 2, 3]), 10_000, 50);
    process.stdout.write(`deleted topic unknown on every broker ${Date.now() - deletedAt} ms after deleteTopics returned\n`);

    const progress: string[] = [];
    const job = await admin.waitForJob(deleted.jobId!, { onProgress: (j) => progress.push(`${j.state}:${j.progress?.step ?? '-'}`) });
    process.stdout.write(`deletion job finished ${Date.now() - deletedAt} ms after the call; progress seen: ${[...new Set(progress)].join(' ')}\n`);
    expect(job).toMatchObject({ type: 'deleteTopic', state: 'completed', progress: { done: 4, total: 4 } });
    expect(job.args).toEqual({ topic, topicId: oldId, partitionCount: 3 });
    expect((await admin.listJobs()).map((j) => j.id)).toContain(job.id);

    for (const b of cluster.brokers) expect(replicaDirs(b.id, topic)).toEqual([]);
    expect(await redisKeysOf(topic)).toEqual([]);
    expect((await admin.groups().fetchOffsets('doomed-group')).filter((o) => o.topic === topic)).toEqual([]);
    producing = false;
    await producing$;
    await producer.disconnect();
    await member.consumer.disconnect();
    expect(failedAfter).toBeGreaterThan(0);

    // the same name again: a new incarnation, empty, with nothing committed for the old group
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3 }] });
    const newId = await topicId(admin, topic);
    expect(newId).not.toBe(oldId);
    expect((await admin.fetchTopicOffsets(topic)).map((o) => [o.low, o.high])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    for (const b of cluster.brokers) for (let p = 0; p < 3; p++) expect(topicIdOnDisk(b.id, topic, p)).toBe(newId);
    expect((await admin.groups().fetchOffsets('doomed-group')).filter((o) => o.topic === topic)).toEqual([]);
    await admin.disconnect();
  });

  it('a broker down during the deletion and back after the name was re-created removes its stale directory and never serves the old data', async () => {
    const c = client();
    const admin = c.admin();
    const topic = 'stale';
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] });
    await waitForFullIsr(admin, topic, 3);
    const oldId = await topicId(admin, topic);
    const producer = c.producer({ acks: 'all' });
    await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ value: `old-${i}` })) });
    await producer.disconnect();
    const { controller } = await admin.describeCluster();
    const down = [1, 2, 3].find((id) => id !== controller)!;
    const up = [1, 2, 3].filter((id) => id !== down);
    await waitFor(`broker ${down} to hold the old records`, () => fs.existsSync(path.join(cluster.dir, `broker-${down}`, `${topic}-0`)));
    await cluster.broker(down).kill('SIGKILL');

    const [deleted] = await admin.deleteTopics({ topics: [topic] });
    // the job waits for the live brokers only: the dead one's registration lapses
    await admin.waitForJob(deleted.jobId!, { timeoutMs: 60_000 });
    for (const id of up) expect(replicaDirs(id, topic)).toEqual([]);
    expect(topicIdOnDisk(down, topic, 0)).toBe(oldId);
    await waitFor('the dead broker to leave the registry', async () => (await admin.describeCluster()).brokers.length === 2);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 2 }] });
    const newId = await topicId(admin, topic);
    const fresh = c.producer({ acks: 'all' });
    await fresh.send({ topic, messages: [{ value: 'new-0' }] });
    await fresh.disconnect();

    const restartedAt = Date.now();
    await cluster.broker(down).start();
    await waitFor(`broker ${down} to remove its stale directory`, () => !fs.existsSync(path.join(cluster.dir, `broker-${down}`, `${topic}-0`)), 20_000, 50);
    process.stdout.write(`stale directory removed ${Date.now() - restartedAt} ms after broker ${down} was started again\n`);
    expect(cluster.broker(down).output).toContain('stale-replica-removed');
    // the returned broker holds nothing of the topic now, and serves nothing of it
    const s = await socketTo(down);
    const fetched = await s.request<FetchResponse>('fetch', fetchRequest(topic, 0));
    expect(fetched.partitions[0].errorCode).not.toBe(ErrorCode.NONE);
    const everything = await readAll(client(), topic, 1);
    expect([...everything.get(0)!.values()]).toEqual(['new-0']);
    expect(newId).not.toBe(oldId);
    await admin.disconnect();
  });

  it('the controller SIGKILLed in the middle of a deletion job: the next controller finishes it', async () => {
    const c = client();
    const admin = c.admin();
    const topic = 'orphaned';
    await waitFor('three live brokers', async () => (await admin.describeCluster()).brokers.length === 3, 30_000);
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 3 }] });
    await waitForFullIsr(admin, topic, 3);
    const producer = c.producer({ acks: 'all' });
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `r${i}` })) });
    await producer.disconnect();
    const { controller } = await admin.describeCluster();
    expect(controller).not.toBeNull();
    const others = [1, 2, 3].filter((id) => id !== controller);
    const survivor = client(others).admin();

    const [deleted] = await admin.deleteTopics({ topics: [topic] });
    const jobId = deleted.jobId!;
    // past its first step, before its last: the job is in the dying controller's hands
    const during = await waitFor<JobInfo>(
      'the job to be part-way through',
      async () => {
        const j = await survivor.describeJob(jobId);
        return j.state === 'active' && (j.progress?.done ?? 0) >= 1 && (j.progress?.done ?? 0) < 3 ? j : null;
      },
      20_000,
      50,
    );
    await cluster.broker(controller!).kill('SIGKILL');
    const killedAt = Date.now();
    process.stdout.write(
      `controller ${controller} SIGKILLed with ${during.progress?.done}/${during.progress?.total} steps done (last: ${during.progress?.step})\n`,
    );

    const job = await survivor.waitForJob(jobId, { timeoutMs: 60_000 });
    process.stdout.write(`job completed ${Date.now() - killedAt} ms after the kill, by the next controller\n`);
    expect(job.state).toBe('completed');
    const next = (await survivor.describeCluster()).controller;
    expect(others).toContain(next);
    const resumer = cluster.broker(next!).output;
    expect(resumer).toContain('"event":"job-resumed"');
    for (const id of others) expect(replicaDirs(id, topic)).toEqual([]);
    expect(await redisKeysOf(topic)).toEqual([]);

    await survivor.disconnect();
    await admin.disconnect();
  });
});
