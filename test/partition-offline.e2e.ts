import { Buffer } from 'buffer';
import * as fs from 'fs';
import * as path from 'path';
import { decodeRecordBatches, encodeRecordBatch, ErrorCode, readBatchHeader, toTimestamp, type CreateTopicsResponse } from '@tributary/protocol';
import { sleep, waitFor } from './support/free-port';
import { readReplicaBatches } from './support/replica-logs';
import { TestCluster } from './support/test-cluster';
import { waitForLeaders, Wire } from './support/timestamp-helpers';

jest.setTimeout(240_000);

const INT64_MAX = (1n << 63n) - 1n;
const ENV = { LOG_RETENTION_CHECK_INTERVAL_MS: '300', LOG_FLUSH_INTERVAL_MS: '200', LEADER_LEASE_MS: '1500', METADATA_REFRESH_MS: '1000' };
/** Small segments, so each partition has closed segments whose files can be damaged. */
const SMALL = { 'segment.bytes': '1024' };
const value = (i: number) => `record-${i}-${'x'.repeat(300)}`;

/**
 * Issue 9: an error in one partition's files or background tasks is contained to that
 * partition. The test damages one partition's files on disk in three ways (a bad time-index
 * entry, an unreadable segment, and a batch with maxTimestamp 2^63-1 that slipped past
 * validation), restarts the broker, and sees it come up: the damaged partitions offline with
 * KAFKA_STORAGE_ERROR, every other partition on the same broker served, retention running
 * over all of them without killing the process.
 */
describe('partition offline, broker up (one real broker)', () => {
  let cluster: TestCluster;
  let wire: Wire;
  const dataDir = () => cluster.brokers[0].options.dataDir;
  const partitionDir = (topic: string, p = 0) => path.join(dataDir(), `${topic}-${p}`);

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 1, brokerEnv: ENV });
    wire = await Wire.connect(cluster.brokers[0].url);
    await waitFor('controller', async () => (await wire.metadata()).controllerId === 1);
    const created = await wire.sock.request<CreateTopicsResponse>('createTopics', {
      topics: [
        { name: 'bad-index', numPartitions: 1, replicationFactor: 1, configs: SMALL },
        { name: 'bad-segment', numPartitions: 1, replicationFactor: 1, configs: SMALL },
        { name: 'poisoned', numPartitions: 1, replicationFactor: 1, configs: { ...SMALL, 'retention.ms': '1000' } },
        { name: 'healthy', numPartitions: 3, replicationFactor: 1, configs: SMALL },
      ],
    });
    expect(created.topics.map((t) => t.errorCode)).toEqual([0, 0, 0, 0]);
  });

  afterAll(async () => {
    wire?.close();
    await cluster?.stop();
  });

  it('restarts with damaged partitions offline and every other partition served; retention does not kill it', async () => {
    const topics = ['bad-index', 'bad-segment', 'poisoned', 'healthy'];
    for (const t of topics) await waitForLeaders(wire, t);
    const healthyBefore: Buffer[] = [];
    for (const t of topics) {
      const parts = t === 'healthy' ? 3 : 1;
      for (let p = 0; p < parts; p++) {
        for (let i = 0; i < 8; i++)
          expect((await wire.produce(t, p, encodeRecordBatch([{ key: null, value: Buffer.from(value(i)), timestamp: Date.now() }]), 1)).errorCode).toBe(0);
      }
    }
    for (let p = 0; p < 3; p++) healthyBefore.push((await wire.fetch('healthy', p)).records);
    wire.close();
    await cluster.brokers[0].kill('SIGKILL');

    // 1. A closed segment's last time-index entry points past its segment.
    const indexes = fs
      .readdirSync(partitionDir('bad-index'))
      .filter((f) => f.endsWith('.timeindex'))
      .sort();
    expect(indexes.length).toBeGreaterThan(1);
    const entry = Buffer.alloc(12);
    entry.writeBigInt64BE(BigInt(Date.now()), 0);
    entry.writeInt32BE(1_000_000, 8);
    fs.writeFileSync(path.join(partitionDir('bad-index'), indexes[0]), entry);
    // 2. The active segment cannot be read at all (a directory where the file was).
    const logs = fs
      .readdirSync(partitionDir('bad-segment'))
      .filter((f) => f.endsWith('.log'))
      .sort();
    const active = path.join(partitionDir('bad-segment'), logs[logs.length - 1]);
    fs.rmSync(active);
    fs.mkdirSync(active);
    // 3. A future bug let a batch with maxTimestamp 2^63-1 (valid CRC, right offset) into the log.
    const poisonedLogs = fs
      .readdirSync(partitionDir('poisoned'))
      .filter((f) => f.endsWith('.log'))
      .sort();
    const last = readReplicaBatches(dataDir(), 'poisoned', 0).pop();
    if (!last) throw new Error('poisoned has no batches');
    const epoch = readBatchHeader(last.bytes).partitionLeaderEpoch;
    const poison = encodeRecordBatch([{ key: null, value: Buffer.from('poison'), timestamp: toTimestamp(INT64_MAX) }], {
      baseOffset: last.lastOffset + 1,
      partitionLeaderEpoch: epoch,
    });
    fs.appendFileSync(path.join(partitionDir('poisoned'), poisonedLogs[poisonedLogs.length - 1]), poison);

    await cluster.brokers[0].start();
    wire = await Wire.connect(cluster.brokers[0].url);
    await waitForLeaders(wire, 'healthy');

    // The damaged partitions: offline, with KAFKA_STORAGE_ERROR on every request and in metadata.
    for (const t of ['bad-index', 'bad-segment']) {
      const m = (await wire.metadata([t])).topics[0].partitions[0];
      expect(m).toMatchObject({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, offlineReplicas: [1] });
      expect((await wire.produce(t, 0, encodeRecordBatch([{ key: null, value: Buffer.from('x'), timestamp: Date.now() }]), 1)).errorCode).toBe(
        ErrorCode.KAFKA_STORAGE_ERROR,
      );
      expect((await wire.fetch(t, 0)).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      expect((await wire.listOffsets(t, 0, -2)).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    }
    expect(cluster.brokers[0].output).toMatch(/"event":"partition-offline".*"topic":"bad-index"/);
    expect(cluster.brokers[0].output).toMatch(/"event":"partition-offline".*"topic":"bad-segment"/);

    // Every other partition on this broker: its data intact and writable.
    for (let p = 0; p < 3; p++) {
      expect((await wire.fetch('healthy', p)).records.equals(healthyBefore[p])).toBe(true);
      expect((await wire.produce('healthy', p, encodeRecordBatch([{ key: null, value: Buffer.from('after'), timestamp: Date.now() }]), 1)).errorCode).toBe(0);
    }

    // The planted 2^63-1 batch is held exactly and served; time lookups reach it; new writes roll past it.
    const poisoned = await wire.fetch('poisoned', 0, last.lastOffset + 1);
    expect(poisoned.errorCode).toBe(0);
    expect(decodeRecordBatches(poisoned.records).map((r) => [r.offset, r.timestamp])).toEqual([[last.lastOffset + 1, INT64_MAX]]);
    expect(await wire.listOffsets('poisoned', 0, Date.now() + 86_400_000)).toMatchObject({ errorCode: 0, offset: last.lastOffset + 1 });
    for (let i = 0; i < 6; i++)
      expect((await wire.produce('poisoned', 0, encodeRecordBatch([{ key: null, value: Buffer.from(value(i)), timestamp: Date.now() }]), 1)).errorCode).toBe(0);

    // Retention runs every 300 ms over all of it (poisoned has retention.ms 1000): the broker lives on.
    await sleep(3000);
    expect(cluster.brokers[0].running).toBe(true);
    const start = await wire.listOffsets('poisoned', 0, -2);
    expect(start.errorCode).toBe(0);
    // Old segments expired up to the poisoned one, which never does (its time is in the far future), as in Kafka.
    expect(start.offset).toBeGreaterThan(0);
    expect(start.offset).toBeLessThanOrEqual(last.lastOffset + 1);
    expect((await wire.metadata(['healthy'])).topics[0].partitions.every((p) => p.errorCode === 0)).toBe(true);
    expect((await wire.produce('healthy', 0, encodeRecordBatch([{ key: null, value: Buffer.from('later'), timestamp: Date.now() }]), 1)).errorCode).toBe(0);

    // And it comes up again, the same way, after another restart.
    wire.close();
    await cluster.brokers[0].kill('SIGKILL');
    await cluster.brokers[0].start();
    wire = await Wire.connect(cluster.brokers[0].url);
    await waitForLeaders(wire, 'healthy');
    expect((await wire.fetch('bad-index', 0)).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect((await wire.fetch('poisoned', 0, start.offset)).errorCode).toBe(0);
  });

  it('a storage error while running (the log directory vanishes, then a segment roll) takes only that partition offline', async () => {
    const created = await wire.sock.request<CreateTopicsResponse>('createTopics', {
      topics: [{ name: 'doomed', numPartitions: 1, replicationFactor: 1, configs: SMALL }],
    });
    expect(created.topics[0].errorCode).toBe(0);
    await waitForLeaders(wire, 'doomed');
    expect((await wire.produce('doomed', 0, encodeRecordBatch([{ key: null, value: Buffer.from(value(0)), timestamp: Date.now() }]), 1)).errorCode).toBe(0);
    fs.rmSync(partitionDir('doomed'), { recursive: true, force: true });
    // Appends go to the open file until the segment must roll, which cannot create its files.
    const codes: number[] = [];
    for (let i = 0; i < 8; i++)
      codes.push((await wire.produce('doomed', 0, encodeRecordBatch([{ key: null, value: Buffer.from(value(i)), timestamp: Date.now() }]), 1)).errorCode);
    expect(codes).toContain(ErrorCode.KAFKA_STORAGE_ERROR);
    await waitFor(
      'doomed offline in metadata',
      async () => (await wire.metadata(['doomed'])).topics[0].partitions[0].errorCode === ErrorCode.KAFKA_STORAGE_ERROR,
    );
    expect((await wire.fetch('doomed', 0)).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    await sleep(1000); // retention and the flush timer run over it meanwhile
    expect(cluster.brokers[0].running).toBe(true);
    expect((await wire.produce('healthy', 1, encodeRecordBatch([{ key: null, value: Buffer.from('still'), timestamp: Date.now() }]), 1)).errorCode).toBe(0);
    expect(cluster.brokers[0].output).toMatch(/"event":"partition-offline".*"topic":"doomed"/);
  });
});

/**
 * With RF=3 an offline replica costs the partition nothing but that replica: when the leader's
 * log fails, its lease lapses and an in-sync follower leads; when a follower's files are
 * damaged, it stays offline after a restart and acks=all goes on with the other two.
 */
describe('partition offline with RF=3 (three real brokers)', () => {
  const FAST = {
    LEADER_LEASE_MS: '1000',
    REPLICA_LAG_TIME_MAX_MS: '3000',
    BROKER_SESSION_TIMEOUT_MS: '3000',
    METADATA_REFRESH_MS: '1000',
    LOG_RETENTION_CHECK_INTERVAL_MS: '300',
  };
  let cluster: TestCluster;
  const wires = new Map<number, Wire>();
  const wire = (id: number) => wires.get(id) as Wire;
  const record = (v: string) => encodeRecordBatch([{ key: null, value: Buffer.from(v), timestamp: Date.now() }]);
  const leaderOf = async (topic: string, not?: number) =>
    waitFor(
      `a leader of ${topic}${not ? ` other than ${not}` : ''}`,
      async () => {
        const p = (await wire(not === 1 ? 2 : 1).metadata([topic])).topics[0].partitions[0];
        return p.leader > 0 && p.leader !== not ? p.leader : null;
      },
      30_000,
      100,
    );
  /** acks=all through whoever leads now, retrying while leadership moves. */
  const produceAll = (topic: string, v: string, not?: number) =>
    waitFor(
      `acks=all produce of ${v}`,
      async () => {
        const leader = await leaderOf(topic, not);
        const r = await wire(leader).produce(topic, 0, record(v), -1);
        return r.errorCode === 0 ? r : null;
      },
      30_000,
      200,
    );

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 3, brokerEnv: FAST });
    for (const b of cluster.brokers) wires.set(b.id, await Wire.connect(b.url));
    const controllerId = await waitFor('a controller and three brokers', async () => {
      const m = await wire(1).metadata();
      return m.controllerId > 0 && m.brokers.length === 3 ? m.controllerId : null;
    });
    const r = await wire(controllerId).sock.request<CreateTopicsResponse>('createTopics', {
      topics: [
        { name: 'leader-fails', numPartitions: 1, replicationFactor: 3, configs: SMALL },
        { name: 'follower-damaged', numPartitions: 1, replicationFactor: 3, configs: SMALL },
      ],
    });
    expect(r.topics.map((t) => t.errorCode)).toEqual([0, 0]);
    await waitForLeaders(wire(1), 'leader-fails', 3);
    await waitForLeaders(wire(1), 'follower-damaged', 3);
  });

  afterAll(async () => {
    for (const w of wires.values()) w.close();
    await cluster?.stop();
  });

  it('a leader whose log fails hands over to an in-sync follower; no acknowledged record is lost', async () => {
    const acked: string[] = [];
    for (let i = 0; i < 3; i++) {
      await produceAll('leader-fails', value(i));
      acked.push(value(i));
    }
    const old = await leaderOf('leader-fails');
    fs.rmSync(path.join(cluster.broker(old).options.dataDir, 'leader-fails-0'), { recursive: true, force: true });
    // Writes on the old leader fail once its segment must roll; then another replica leads.
    for (let i = 3; i < 12; i++) {
      const r = await wire(old).produce('leader-fails', 0, record(value(i)), -1);
      if (r.errorCode === 0) acked.push(value(i));
      else expect([ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.NOT_LEADER_OR_FOLLOWER]).toContain(r.errorCode);
    }
    expect((await wire(old).metadata(['leader-fails'])).topics[0].partitions[0].offlineReplicas).toEqual([old]);
    const t0 = Date.now();
    await produceAll('leader-fails', 'after-failover', old);
    acked.push('after-failover');
    console.log(`leader-fails: new leader acked ${Date.now() - t0} ms after the old one went offline`);
    const leader = await leaderOf('leader-fails', old);
    const f = await wire(leader).fetch('leader-fails', 0);
    const values = decodeRecordBatches(f.records).map((r) => r.value?.toString());
    for (const v of acked) expect(values).toContain(v);
    expect(cluster.brokers.every((b) => b.running)).toBe(true);
  });

  it('a follower with a damaged time index stays offline after its restart; acks=all goes on with the other two', async () => {
    for (let i = 0; i < 8; i++) await produceAll('follower-damaged', value(i));
    const leader = await leaderOf('follower-damaged');
    const follower = cluster.brokers.find((b) => b.id !== leader) as (typeof cluster.brokers)[number];
    await waitFor('the follower caught up', () => readReplicaBatches(follower.options.dataDir, 'follower-damaged', 0).length >= 8);
    wire(follower.id).close();
    await follower.kill('SIGKILL');
    const dir = path.join(follower.options.dataDir, 'follower-damaged-0');
    const index = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.timeindex'))
      .sort()[0];
    const entry = Buffer.alloc(12);
    entry.writeBigInt64BE(-5n, 0); // no append can write a timestamp below -1
    entry.writeInt32BE(0, 8);
    fs.writeFileSync(path.join(dir, index), entry);
    await follower.start();
    wires.set(follower.id, await Wire.connect(follower.url));

    await waitFor('the follower reports its replica offline', async () => {
      const p = (await wire(follower.id).metadata(['follower-damaged'])).topics[0].partitions[0];
      return p.offlineReplicas?.includes(follower.id) ?? false;
    });
    for (let i = 8; i < 12; i++) await produceAll('follower-damaged', value(i), follower.id);
    const now = await leaderOf('follower-damaged', follower.id);
    const f = await wire(now).fetch('follower-damaged', 0);
    expect(decodeRecordBatches(f.records).map((r) => r.value?.toString())).toEqual(Array.from({ length: 12 }, (_, i) => value(i)));
    // The two healthy replicas hold the same bytes.
    const healthy = cluster.brokers.filter((b) => b.id !== follower.id);
    await waitFor('healthy replicas identical', () => {
      const [a, b] = healthy.map((x) => Buffer.concat(readReplicaBatches(x.options.dataDir, 'follower-damaged', 0).map((y) => y.bytes)));
      return a.length > 0 && a.equals(b);
    });
    expect(cluster.brokers.every((b) => b.running)).toBe(true);
  });
});
