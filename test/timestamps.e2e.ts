import { Buffer } from 'buffer';
import { BatchLayout, decodeRecordBatch, encodeRecordBatch, ErrorCode, readBatchHeader, toTimestamp, type CreateTopicsResponse } from '@tributary/protocol';
import { sleep, waitFor } from './support/free-port';
import { readReplicaBatches } from './support/replica-logs';
import { TestCluster } from './support/test-cluster';
import { waitForLeaders, Wire } from './support/timestamp-helpers';

jest.setTimeout(240_000);

const INT64_MAX = (1n << 63n) - 1n;
/** Retention every half second, so "retention runs over it" happens many times during the test. */
const ENV = { LOG_RETENTION_CHECK_INTERVAL_MS: '500', LEADER_LEASE_MS: '1500', METADATA_REFRESH_MS: '1000' };

const rec = (timestamp: number | bigint, value: string) => ({ key: Buffer.from('k'), value: Buffer.from(value), timestamp });

/**
 * Issue 9 item 1: the poison batch (valid CRC, maxTimestamp 2^63-1) used to be acknowledged
 * with RF=3 acks=all and then kill all three brokers for good. Now it is refused with
 * INVALID_TIMESTAMP before anything is written, and LogAppendTime topics carry the broker's
 * stamp, identical on every replica.
 */
describe('exact timestamps and LogAppendTime (3 real brokers, RF=3, acks=all)', () => {
  let cluster: TestCluster;
  let any: Wire;
  const wires = new Map<number, Wire>();
  const leaderWire = async (topic: string) => {
    const m = await waitForLeaders(any, topic, 3);
    return wires.get(m.topics[0].partitions[0].leader) as Wire;
  };

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 3, brokerEnv: ENV });
    for (const b of cluster.brokers) wires.set(b.id, await Wire.connect(b.url));
    any = wires.get(1) as Wire;
    const controllerId = await waitFor('a controller and three brokers', async () => {
      const m = await any.metadata();
      return m.controllerId > 0 && m.brokers.length === 3 ? m.controllerId : null;
    });
    // Topics are created by the controller; 'any' is used for it below as well.
    any = wires.get(controllerId) as Wire;
    const created = await any.sock.request<CreateTopicsResponse>('createTopics', {
      topics: [
        { name: 'create-time', numPartitions: 1, replicationFactor: 3 },
        { name: 'append-time', numPartitions: 1, replicationFactor: 3, configs: { 'message.timestamp.type': 'LogAppendTime' } },
        {
          name: 'bounded',
          numPartitions: 1,
          replicationFactor: 3,
          configs: { 'message.timestamp.before.max.ms': '60000', 'message.timestamp.after.max.ms': '9223372036854775807' },
        },
      ],
    });
    expect(created.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['create-time', 0],
      ['append-time', 0],
      ['bounded', 0],
    ]);
  });

  afterAll(async () => {
    for (const w of wires.values()) w.close();
    await cluster?.stop();
  });

  it('refuses bad timestamp configs with INVALID_CONFIG naming the key', async () => {
    const r = await any.sock.request<CreateTopicsResponse>('createTopics', {
      topics: [
        { name: 'bad-type', numPartitions: 1, replicationFactor: 1, configs: { 'message.timestamp.type': 'WallClock' } },
        { name: 'bad-after', numPartitions: 1, replicationFactor: 1, configs: { 'message.timestamp.after.max.ms': '9223372036854775808' } },
        { name: 'bad-before', numPartitions: 1, replicationFactor: 1, configs: { 'message.timestamp.before.max.ms': '-1' } },
      ],
    });
    expect(r.topics.map((t) => t.errorCode)).toEqual([ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_CONFIG]);
    expect(r.topics[0].errorMessage).toContain('message.timestamp.type');
  });

  it('refuses the poison batch with INVALID_TIMESTAMP, writes nothing, and every broker keeps serving', async () => {
    const leader = await leaderWire('create-time');
    // Measured from where the log ends now, so the test does not rely on running before others that write here.
    const end = (await leader.listOffsets('create-time', 0, -1)).offset;
    const poison = encodeRecordBatch([rec(toTimestamp(INT64_MAX), 'poison')]);
    const refused = await leader.produce('create-time', 0, poison, -1);
    expect(refused.errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    // Its siblings: a record beyond after.max.ms, a negative one, and a lying maxTimestamp.
    expect((await leader.produce('create-time', 0, encodeRecordBatch([rec(Date.now() + 2 * 3_600_000, 'future')]))).errorCode).toBe(
      ErrorCode.INVALID_TIMESTAMP,
    );
    expect((await leader.produce('create-time', 0, encodeRecordBatch([rec(-7, 'negative')]))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    const mixed = Buffer.concat([encodeRecordBatch([rec(Date.now(), 'fine')]), poison]);
    expect((await leader.produce('create-time', 0, mixed)).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);

    // Nothing was written: the next good batch takes the offset the log ended at, on every replica.
    const now = Date.now();
    const ok = await leader.produce('create-time', 0, encodeRecordBatch([rec(now, 'good')]), -1);
    expect(ok).toMatchObject({ errorCode: 0, baseOffset: end });
    const fetched = await leader.fetch('create-time', 0, end);
    expect(decodeRecordBatch(fetched.records).records.map((r) => [r.offset, r.value?.toString(), r.timestamp])).toEqual([[end, 'good', now]]);

    // Retention runs every 500 ms; give it several rounds, then every broker still answers and accepts writes.
    await sleep(2000);
    for (const b of cluster.brokers) expect(b.running).toBe(true);
    for (const w of wires.values()) expect((await w.metadata(['create-time'])).topics[0].errorCode).toBe(0);
    expect((await leader.produce('create-time', 0, encodeRecordBatch([rec(Date.now(), 'after')]), -1)).errorCode).toBe(0);
    await waitFor('identical replicas of create-time', () => identical('create-time', 2));
  });

  it('honours before.max.ms and an unbounded after.max.ms, still refusing what int64 cannot hold as a time', async () => {
    const leader = await leaderWire('bounded');
    expect((await leader.produce('bounded', 0, encodeRecordBatch([rec(Date.now() - 120_000, 'old')]))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect((await leader.produce('bounded', 0, encodeRecordBatch([rec(Date.now() + 10 * 365 * 86_400_000, 'far')]), -1)).errorCode).toBe(0);
    // Unbounded still stops at 2^53-1 ms: beyond that no broker-side number holds it.
    expect((await leader.produce('bounded', 0, encodeRecordBatch([rec(toTimestamp(INT64_MAX), 'poison')]))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
  });

  it('LogAppendTime: the leader stamps its clock into the batch; followers hold byte-identical, stamped copies', async () => {
    const leader = await leaderWire('append-time');
    const before = Date.now();
    // A client's create time (long past) and even the poison value are overwritten, as in Kafka.
    const sent = [encodeRecordBatch([rec(1_000, 'a'), rec(2_000, 'b')]), encodeRecordBatch([rec(toTimestamp(INT64_MAX), 'c')])];
    for (const b of sent) expect((await leader.produce('append-time', 0, b, -1)).errorCode).toBe(0);
    const after = Date.now();

    const fetched = await leader.fetch('append-time', 0);
    let pos = 0;
    const stamps: number[] = [];
    while (pos < fetched.records.length) {
      const { header, records } = decodeRecordBatch(fetched.records, pos);
      expect(header.attributes & BatchLayout.TIMESTAMP_TYPE_MASK).toBe(BatchLayout.TIMESTAMP_TYPE_MASK);
      expect(typeof header.maxTimestamp).toBe('number');
      stamps.push(header.maxTimestamp as number);
      for (const r of records) expect(r.timestamp).toBe(header.maxTimestamp);
      pos += header.sizeInBytes;
    }
    expect(stamps).toHaveLength(2);
    for (const s of stamps) {
      expect(s).toBeGreaterThanOrEqual(before);
      expect(s).toBeLessThanOrEqual(after);
    }
    // listOffsets by time finds the stamped batches.
    expect(await leader.listOffsets('append-time', 0, before)).toMatchObject({ errorCode: 0, offset: 0, timestamp: stamps[0] });

    // Followers: the same stamped bytes on disk (so their consumers, after a failover, see the same times).
    await waitFor('identical stamped replicas of append-time', () => identical('append-time', 2));
    for (const b of cluster.brokers) {
      const onDisk = readReplicaBatches(b.options.dataDir, 'append-time', 0);
      expect(onDisk.map((x) => readBatchHeader(x.bytes).maxTimestamp)).toEqual(stamps);
    }
  });

  it('CreateTime: a LogAppendTime bit sent by a client is cleared before the batch is stored', async () => {
    const leader = await leaderWire('create-time');
    const now = Date.now();
    const r = await leader.produce('create-time', 0, encodeRecordBatch([rec(now, 'claims-lat')], { logAppendTime: true }), -1);
    expect(r.errorCode).toBe(0);
    const { header, records } = decodeRecordBatch((await leader.fetch('create-time', 0, r.baseOffset)).records);
    expect(header.attributes & BatchLayout.TIMESTAMP_TYPE_MASK).toBe(0);
    expect(records[0].timestamp).toBe(now);
  });

  /** All three replicas hold the same bytes, with at least `batches` batches. */
  function identical(topic: string, batches: number): boolean {
    const logs = cluster.brokers.map((b) => Buffer.concat(readReplicaBatches(b.options.dataDir, topic, 0).map((x) => x.bytes)));
    const count = readReplicaBatches(cluster.brokers[0].options.dataDir, topic, 0).length;
    return count >= batches && logs.every((l) => l.equals(logs[0]));
  }
});
