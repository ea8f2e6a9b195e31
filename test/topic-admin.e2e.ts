import { Buffer } from 'buffer';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCode, LogLevel, Tributary, TopicError, type Admin } from '@tributary/client';
import { encodeProduceEntries, encodeRecordBatch, partitionForKey, type ProduceResponse } from '@tributary/protocol';
import { RawSocket } from './support/raw-socket';
import { TestCluster } from './support/test-cluster';

/**
 * Changing live topics on a real three-broker cluster, without restarting anything: configs
 * (retention, segment size, max.message.bytes, min.insync.replicas) reach every replica within
 * seconds, topics grow, and deleteRecords moves the log start offset on every replica.
 */
jest.setTimeout(60_000);

const ENV = { LOG_RETENTION_CHECK_INTERVAL_MS: '200', METADATA_REFRESH_MS: '1000' };

describe('live topic changes on three brokers', () => {
  let cluster: TestCluster;
  let client: Tributary;
  let admin: Admin;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 3, brokerEnv: ENV });
    client = new Tributary({ brokers: cluster.brokers.map((b) => b.url), logLevel: LogLevel.NOTHING, requestTimeoutMs: 10_000 });
    admin = client.admin();
    await waitUntil(async () => (await admin.describeCluster()).brokers.length === 3, 'all three brokers registered');
  });

  afterAll(async () => {
    await client?.disconnect(); // every producer, consumer and admin it made, also those a failed test left
    await cluster?.stop();
  });

  /** The segment base offsets of each broker's replica of topic-partition, read from disk. */
  const segmentsOnDisk = (topic: string, partition: number): Map<number, number[]> =>
    new Map(
      cluster.brokers.map((b) => {
        const dir = path.join(b.options.dataDir, `${topic}-${partition}`);
        const bases = fs.existsSync(dir)
          ? fs
              .readdirSync(dir)
              .filter((f) => f.endsWith('.log'))
              .map((f) => Number(f.slice(0, -4)))
              .sort((a, c) => a - c)
          : [];
        return [b.id, bases];
      }),
    );

  /** Produces straight to the partition's leader, so a test sees the broker's own answer (no SDK retries). */
  const produceRaw = async (topic: string, partition: number, value: Buffer, acks: -1 | 1 = -1, timestamp = Date.now()): Promise<number> => {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const leader = meta.topics[0].partitions[partition].leader;
    const socket = await RawSocket.connect(cluster.broker(leader).url);
    try {
      const batches = encodeRecordBatch([{ key: null, value, timestamp }]);
      const r = await socket.request<ProduceResponse>('produce', { acks, timeoutMs: 5000, data: encodeProduceEntries([{ topic, partition, batches }]) });
      return r.partitions[0]?.errorCode ?? r.errorCode;
    } finally {
      socket.close();
    }
  };

  it('retention.ms altered to seconds removes old segments on every replica, without restart; consumers below the start reset per autoOffsetReset', async () => {
    const topic = 'retention-live';
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'segment.bytes', value: '1024' }] }] });
    const producer = client.producer({ acks: 'all', lingerMs: 0 });
    for (let i = 0; i < 30; i++) await producer.send({ topic, messages: [{ value: `old-${i}-${'x'.repeat(150)}` }] });
    await producer.disconnect();
    await waitUntil(
      async () => [...segmentsOnDisk(topic, 0).values()].every((s) => s.length >= 3 && s[0] === 0),
      'every replica holds several segments from 0',
    );
    const before = segmentsOnDisk(topic, 0);
    console.log('segments before the change', JSON.stringify([...before]));

    // a bad value changes nothing, and names the key
    await expect(admin.alterConfigs({ topics: [{ topic, set: { 'retention.ms': '2000', 'segment.bytes': 'tiny' } }] })).rejects.toMatchObject({
      code: ErrorCode.INVALID_CONFIG,
      message: expect.stringContaining('segment.bytes'),
    });
    await expect(admin.alterConfigs({ topics: [{ topic, set: { 'retention.ms': '-7' } }] })).rejects.toMatchObject({ code: ErrorCode.INVALID_CONFIG });
    const unchanged = (await admin.describeConfigs({ topics: [topic] })).topics[0].configs;
    expect(unchanged.find((c) => c.name === 'retention.ms')).toMatchObject({ source: 'default' });
    expect(unchanged.find((c) => c.name === 'segment.bytes')).toMatchObject({ value: '1024', source: 'topic' });
    await sleep(1500);
    expect(segmentsOnDisk(topic, 0)).toEqual(before);

    const changedAt = Date.now();
    await admin.alterConfigs({ topics: [{ topic, set: { 'retention.ms': '2000' } }] });
    // every closed segment is older than two seconds by now: only the active one may stay, on every replica
    await waitUntil(async () => [...segmentsOnDisk(topic, 0).values()].every((s) => s.length === 1 && s[0] > 0), 'old segments gone on every replica', 20_000);
    console.log(`old segments gone on all three replicas ${Date.now() - changedAt} ms after alterConfigs`, JSON.stringify([...segmentsOnDisk(topic, 0)]));
    const [{ low, high }] = await admin.fetchTopicOffsets(topic);
    expect(low).toBeGreaterThan(0);
    expect(high).toBe(30);

    // consumers positioned at 0, now below the log start: earliest resets to the start, latest to the end
    const earliest = await firstOffsetRead(client, topic, 'earliest');
    expect(earliest).toBeGreaterThanOrEqual(low);
    expect(earliest).toBeLessThan(30);
    const latest = firstOffsetRead(client, topic, 'latest');
    await sleep(1500);
    const p2 = client.producer({ acks: 'all' });
    await p2.send({ topic, messages: [{ value: 'new' }] });
    await p2.disconnect();
    expect(await latest).toBe(30);
  });

  it('max.message.bytes, min.insync.replicas and message.timestamp.* take effect on the leader within seconds', async () => {
    const topic = 'limits-live';
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] });
    const big = Buffer.alloc(2000, 1);
    expect(await produceRaw(topic, 0, big)).toBe(ErrorCode.NONE);

    let changedAt = Date.now();
    await admin.alterConfigs({ topics: [{ topic, set: { 'max.message.bytes': '1000' } }] });
    await waitUntil(async () => (await produceRaw(topic, 0, big)) === ErrorCode.MESSAGE_TOO_LARGE, 'MESSAGE_TOO_LARGE', 10_000);
    console.log(`max.message.bytes in force after ${Date.now() - changedAt} ms`);
    expect(await produceRaw(topic, 0, Buffer.alloc(100, 1))).toBe(ErrorCode.NONE);

    changedAt = Date.now();
    await admin.alterConfigs({ topics: [{ topic, set: { 'min.insync.replicas': '4' } }] });
    await waitUntil(async () => (await produceRaw(topic, 0, Buffer.from('a'))) === ErrorCode.NOT_ENOUGH_REPLICAS, 'NOT_ENOUGH_REPLICAS', 10_000);
    console.log(`min.insync.replicas in force after ${Date.now() - changedAt} ms`);
    expect(await produceRaw(topic, 0, Buffer.from('a'), 1)).toBe(ErrorCode.NONE);

    // the timestamp rules too: half an hour ahead is within the default hour, not within a minute
    const ahead = () => produceRaw(topic, 0, Buffer.from('t'), 1, Date.now() + 30 * 60_000);
    expect(await ahead()).toBe(ErrorCode.NONE);
    await admin.alterConfigs({ topics: [{ topic, set: { 'message.timestamp.after.max.ms': '60000' } }] });
    await waitUntil(async () => (await ahead()) === ErrorCode.INVALID_TIMESTAMP, 'INVALID_TIMESTAMP', 10_000);

    await admin.alterConfigs({ topics: [{ topic, delete: ['min.insync.replicas', 'max.message.bytes', 'message.timestamp.after.max.ms'] }] });
    await waitUntil(async () => (await produceRaw(topic, 0, big)) === ErrorCode.NONE, 'defaults back in force', 10_000);
    const configs = (await admin.describeConfigs({ topics: [topic] })).topics[0].configs;
    expect(configs.find((c) => c.name === 'min.insync.replicas')).toMatchObject({ value: '1', source: 'default', isDefault: true });
  });

  it('createPartitions grows a topic: brokers start the new replicas, producers use them after a metadata refresh', async () => {
    const topic = 'grow-live';
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 2 }] });
    // a producer that knew two partitions: it picks up the new count on its own metadata refresh
    const early = new Tributary({ brokers: [cluster.brokers[0].url], logLevel: LogLevel.NOTHING, metadataMaxAgeMs: 1000 });
    try {
      const earlyProducer = early.producer({ acks: 'all' });
      const movingKey = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'].find((k) => partitionForKey(Buffer.from(k), 5) >= 2) ?? 'k0';
      // and a group member that owns both partitions: the coordinator rebalances when the topic grows
      const member = early.consumer({ groupId: 'grow-group', heartbeatIntervalMs: 300 });
      const seen = new Set<number>();
      await member.subscribe({ topics: [topic], fromBeginning: true });
      await member.run({ eachMessage: async ({ partition }) => void seen.add(partition) });
      const before = await earlyProducer.send({ topic, messages: [{ key: movingKey, value: 'before' }] });
      expect(before[0].partition).toBe(partitionForKey(Buffer.from(movingKey), 2));
      await expect(admin.createPartitions({ topicPartitions: [{ topic, count: 2 }] })).rejects.toMatchObject({ code: ErrorCode.INVALID_PARTITIONS });
      await expect(admin.createPartitions({ topicPartitions: [{ topic, count: 1_000_000 }] })).rejects.toBeInstanceOf(TopicError);
      await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
      const meta = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0];
      expect(meta.partitions).toHaveLength(5);
      const leaders = meta.partitions.map((p) => p.leader);
      console.log('leaders after growing to 5', leaders.join(','), 'replicas', meta.partitions.map((p) => p.replicas.join('+')).join(' '));
      for (const p of meta.partitions) expect(p.replicas).toHaveLength(2);
      expect(new Set(leaders).size).toBe(3);

      const producer = client.producer({ acks: 'all' });
      const key = 'customer-42';
      const sent = await producer.send({
        topic,
        messages: [
          { key, value: 'v' },
          { partition: 4, value: 'on partition 4' },
        ],
      });
      await producer.disconnect();
      expect(sent.find((r) => r.partition === partitionForKey(Buffer.from(key), 5))).toBeDefined();
      expect(sent.find((r) => r.partition === 4)?.baseOffset).toBe(0);
      const grownAt = Date.now();
      await waitUntil(
        async () =>
          (await earlyProducer.send({ topic, messages: [{ key: movingKey, value: 'after' }] }))[0].partition === partitionForKey(Buffer.from(movingKey), 5),
        'the running producer to map the key with five partitions',
        10_000,
      );
      console.log(`a running producer (metadataMaxAgeMs 1000) used the new count ${Date.now() - grownAt} ms after the growth`);
      await earlyProducer.disconnect();
      await waitUntil(async () => seen.has(4), 'the group member to read partition 4', 20_000);
      console.log(`the group member read a new partition ${Date.now() - grownAt} ms after the growth`);
      await member.disconnect();
      for (const p of meta.partitions.slice(2)) {
        for (const r of p.replicas)
          await waitUntil(async () => fs.existsSync(path.join(cluster.broker(r).options.dataDir, `${topic}-${p.partition}`)), `replica dir on ${r}`);
      }
    } finally {
      await early.disconnect(); // also on failure: a member left running would keep jest from exiting
    }
  });

  it('deleteRecords moves the log start offset on every replica and deletes the segments below it', async () => {
    const topic = 'delete-records-live';
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'segment.bytes', value: '1024' }] }] });
    const producer = client.producer({ acks: 'all', lingerMs: 0 });
    for (let i = 0; i < 20; i++) await producer.send({ topic, messages: [{ value: `r-${i}-${'y'.repeat(150)}` }] });
    await producer.disconnect();
    await waitUntil(async () => [...segmentsOnDisk(topic, 0).values()].every((s) => s.length >= 3), 'segments on every replica').catch((e) => {
      throw new Error(`${String(e)}: ${JSON.stringify([...segmentsOnDisk(topic, 0)])}`);
    });

    await expect(admin.deleteRecords({ topic, partitions: [{ partition: 0, offset: 21 }] })).rejects.toMatchObject({ code: ErrorCode.OFFSET_OUT_OF_RANGE });
    const [result] = await admin.deleteRecords({ topic, partitions: [{ partition: 0, offset: 12 }] });
    expect(result).toEqual({ partition: 0, lowWatermark: 12 });
    expect((await admin.fetchTopicOffsets(topic))[0]).toMatchObject({ low: 12, high: 20 });
    const startOnEvery = () =>
      cluster.brokers.map((b) => {
        const file = path.join(b.options.dataDir, `${topic}-0`, 'log-start-offset-checkpoint');
        return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      });
    // each replica writes its new start before it deletes the segments below it: wait for both
    const movedEverywhere = () =>
      startOnEvery().every((c) => /(^|\n)12(\n|$)/.test(c)) &&
      [...segmentsOnDisk(topic, 0).values()].every((bases) => bases.every((_, i) => i + 1 === bases.length || bases[i + 1] > 12) && bases[0] <= 12);
    await waitUntil(async () => movedEverywhere(), 'log start 12 and the segments below it gone on every replica', 10_000).catch((e) => {
      throw new Error(`${String(e)}: ${JSON.stringify(startOnEvery())} ${JSON.stringify([...segmentsOnDisk(topic, 0)])}`);
    });
    expect(await firstOffsetRead(client, topic, 'earliest')).toBe(12);
  });

  const CLI = path.resolve(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args, '--brokers', cluster.brokers[0].url], { encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('tributary topics describe-config | alter | add-partitions | delete-records change a live topic from the command line, and refuses bad input with the broker’s error', () => {
    expect(run('topics', 'create', 'cli-live').code).toBe(0);
    expect(run('topics', 'alter', 'cli-live', '--config', 'retention.ms=60000', '--config', 'segment.ms=120000')).toMatchObject({ code: 0 });
    expect(run('topics', 'alter', 'cli-live', '--delete-config', 'segment.ms').code).toBe(0);
    const described = run('topics', 'describe-config', 'cli-live');
    expect(described.code).toBe(0);
    expect(described.out).toMatch(/retention\.ms\s+60000\s+topic/);
    expect(described.out).toMatch(/segment\.ms\s+604800000\s+default/);
    const bad = run('topics', 'alter', 'cli-live', '--config', 'retention.ms=soon');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('retention.ms');
    expect(run('topics', 'add-partitions', 'cli-live', '--count', '3')).toMatchObject({ code: 0, out: "topic 'cli-live' now has 3 partition(s)\n" });
    expect(run('topics', 'add-partitions', 'cli-live', '--count', '2').err).toContain('the new count must be larger');
    const deleted = run('topics', 'delete-records', 'cli-live', '--partition', '0', '--offset', '0');
    expect(deleted).toMatchObject({ code: 0, out: 'cli-live-0: low watermark is now 0\n' });
    expect(run('topics', 'delete-records', 'cli-live', '--partition', '0', '--offset', '5').err).toContain('the high watermark is 0');
  });
});

/** The first offset a consumer assigned partition 0 at offset 0 reads, after it applied autoOffsetReset. */
async function firstOffsetRead(client: Tributary, topic: string, reset: 'earliest' | 'latest'): Promise<number> {
  const consumer = client.consumer({ autoOffsetReset: reset });
  try {
    let resolve: (offset: number) => void = () => undefined;
    const first = new Promise<number>((r) => (resolve = r));
    consumer.assign([{ topic, partition: 0, offset: 0 }]);
    await consumer.run({ eachMessage: async ({ message }) => resolve(message.offset) });
    return await withTimeout(first, 15_000, `a ${reset} consumer's first record`);
  } finally {
    await consumer.disconnect();
  }
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
